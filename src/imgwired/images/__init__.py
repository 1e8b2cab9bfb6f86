"""Images: standard uploads and their tokens, bytes received at an upload URL, processing,
upload via URL, bulk downloads and the sweeps of what is left behind.
"""
