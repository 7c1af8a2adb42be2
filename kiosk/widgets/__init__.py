"""Kiosk widgets: tiles, the header, plain text (the big ticket number is shared/ui/bigtext.py)."""
