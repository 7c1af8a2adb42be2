"""Screens of the counter terminal: login, main, and the dialogs."""
