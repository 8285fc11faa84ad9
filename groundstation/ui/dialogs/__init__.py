"""Dialogs of the main window: the new-session dialog (profile and stream dialogs come later)."""
