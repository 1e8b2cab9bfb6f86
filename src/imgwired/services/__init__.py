"""Domain logic. Nothing here knows about HTTP."""
