"""Delivery: CDN requests resolved to an original or a rendition, renditions made on a miss."""
