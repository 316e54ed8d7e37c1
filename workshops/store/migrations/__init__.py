"""Alembic migrations of the store's schema (see :mod:`workshops.store.migrate`).

``env.py`` is run by Alembic, never imported; ``versions/`` holds one script per schema
change, numbered ``0001``, ``0002``… Write a new one with ``chemins db revision``.
"""
