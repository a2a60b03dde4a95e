"""Moteurs de base de données propres à Quartiers."""
