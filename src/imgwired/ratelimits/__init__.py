"""Rate limits: token buckets per API key, per client address and per first-hit render, kept in
this process's memory or, when ``IMGWIRED_REDIS_URL`` is set, in Redis for every process."""
