"""Custom domains without I/O beyond DNS: hostname rules, nameserver settings, the CNAME check."""
