"""Kiosk widgets: tiles and the header (the big ticket number is shared/ui/bigtext.py)."""
