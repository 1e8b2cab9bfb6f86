"""imgwired.metrics."""
