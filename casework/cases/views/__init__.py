"""The case pages."""
