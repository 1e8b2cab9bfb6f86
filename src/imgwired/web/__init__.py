"""The HTTP face: the app factory, middleware, dependencies, wire schemas and routes."""
