"""Socle des pages web : gabarit DSFR commun, accueil."""
