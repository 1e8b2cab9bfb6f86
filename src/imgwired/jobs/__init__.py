"""Durable background work: a job table, claimed with leases, run in-process or by workers."""
