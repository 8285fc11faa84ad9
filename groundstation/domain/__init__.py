"""The domain: plain data, errors and the ports the services talk through.

Imports nothing of ours beyond this package and no third-party library, so that every other layer can
depend on it without dragging Qt, SQLAlchemy or a protocol library along.
"""
