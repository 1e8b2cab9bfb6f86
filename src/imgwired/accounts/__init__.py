"""Accounts: the organization, its environments, API keys and the admin token, and who a caller is.

``organization.py`` (``init``), ``environments.py``, ``api_keys.py``, ``auth.py`` (bearer secret
to ``Caller``), ``secrets.py`` (generation and hashing), ``repository.py`` (their queries).
"""
