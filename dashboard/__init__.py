"""The Dash app: the wall (``/``), the JSON API (``/api/...``) and, later, more screens.

``create_app`` lives in :mod:`dashboard.app`; import it from there (importing this package
stays cheap and does not pull in Dash).
"""
