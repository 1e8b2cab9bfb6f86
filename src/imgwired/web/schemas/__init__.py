"""Wire schemas, named as the contract names them. Requests refuse unknown fields."""
