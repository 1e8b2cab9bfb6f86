"""imgwired.accounts."""
