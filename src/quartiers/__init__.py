"""Quartiers : plateforme ouverte de la politique de la ville."""

__version__ = "0.1.0"
