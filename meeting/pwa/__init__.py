"""Vendredi on phones like an app: the web app manifest, the service worker, and the offline
copies of the Friday document, the phone page and the projector (see `offline.py`)."""
