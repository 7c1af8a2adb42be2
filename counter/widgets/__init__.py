"""Widgets of the counter terminal, one per part of the main screen."""
