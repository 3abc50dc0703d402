"""``make site``'s builders: the static pages (web/site.py) and the JupyterLite build (web/lite.py)."""
