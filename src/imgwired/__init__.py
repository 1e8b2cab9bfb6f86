"""imgwired: a self-hostable image platform speaking the Imgwire Resource and CDN APIs.

Build an app with ``imgwired.web.app.create_app(settings)``; nothing runs at import time.
"""

__version__ = "0.1.0"
