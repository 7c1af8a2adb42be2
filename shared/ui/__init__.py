"""Small Textual widgets shared by the apps (may import textual; shared/ itself never does)."""
