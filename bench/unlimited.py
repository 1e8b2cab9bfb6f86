"""The benches measure throughput, not the rate limits: every server they start has them off.

A rate of 0 turns a limit off (docs/api.md, "Rate limits"). ``SETTINGS`` for a server built
in the bench's own process, ``ENVIRONMENT`` for one started as a command.
"""

from __future__ import annotations

SETTINGS = {
    "rate_limit_key_per_second": 0,
    "rate_limit_ip_per_second": 0,
    "rate_limit_render_per_second": 0,
}
ENVIRONMENT = {f"IMGWIRED_{name.upper()}": str(value) for name, value in SETTINGS.items()}
