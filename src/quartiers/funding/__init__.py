"""Financements : contrats de ville, appels à projets, demandes de subvention et leur instruction."""
