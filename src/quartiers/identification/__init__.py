"""Identification des quartiers : commandes, pages et services autour de `core.identification`."""
