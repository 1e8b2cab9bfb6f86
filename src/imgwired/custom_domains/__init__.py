"""Custom domains: hostname rules and the CNAME check (pure and DNS), the domain as a resource
(``service.py``), the in-memory table of connected domains (``connected.py``) and its queries.
"""
