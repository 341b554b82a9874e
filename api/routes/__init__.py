"""Route modules of the HTTP API and of the web pages, one per resource."""
