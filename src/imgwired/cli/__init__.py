"""The ``imgwired`` command."""
