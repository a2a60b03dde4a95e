"""Règles des dispositifs : paramètres datés et programmes écrits comme du code."""
