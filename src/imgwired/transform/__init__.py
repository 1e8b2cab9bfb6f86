"""CDN transformations: the query parameters parsed to a ``Transformation``, rendered on libvips."""
