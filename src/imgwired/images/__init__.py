"""imgwired.images."""
