"""HTTP API and web pages of zoneblanche (FastAPI); build the application with ``api.app.create_app``."""
