"""CORS origin patterns and strict matching of the request's Origin header."""
