"""How every process of one install hears of a change that its in-memory copies must drop, and
how processes agree that only one of them renders a rendition: through Redis when
``IMGWIRED_REDIS_URL`` is set, else each process polls the database (and renders lease a row)."""
