"""Docks of the main window: the session panel and the stream list (vehicle detail and alarms come later)."""
