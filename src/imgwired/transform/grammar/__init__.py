"""The CDN parameter language: names, aliases and value grammars, read into a canonical
``Transformation`` (``params.parse_transformations``); no pyvips here."""
