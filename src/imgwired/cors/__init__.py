"""CORS: origin patterns, strict Origin parsing, the matcher and policy (pure), and at run time the
compiled per-environment cache (``runtime.py``), its resources (``service.py``) and queries.
"""
