"""Kiosk widgets: tiles, header, big ticket number."""
