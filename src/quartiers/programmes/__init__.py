"""Dispositifs : simulateur d'éligibilité, API et commandes autour du moteur `quartiers.core.rules`."""
