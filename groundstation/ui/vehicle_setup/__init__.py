"""The vehicle's setup in the window: its parameters and its mission, each a non-modal dialog per session."""
