"""Lantern as a real `python -m bot run` subprocess against the in-process emulator."""
