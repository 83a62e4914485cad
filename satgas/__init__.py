"""SATGAS: the field-crew work-log service of DPUPR Kota Malang.

The app factory is `satgas.app.create_app` (see wsgi.py); this package imports nothing on its own,
so `api` and `satgas` can be imported in any order.
"""
