"""Comptes, organisations, rôles, permissions d'objet, jetons d'API et journal d'audit."""
