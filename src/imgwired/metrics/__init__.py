"""Metrics: usage counted in memory and stored by the hour (``usage.py``), datasets and stats in
a time zone (``service.py``, ``periods.py``), and the operator's Prometheus text.
"""
