"""Calculs de l'observatoire : taux, écarts, comparaisons."""
