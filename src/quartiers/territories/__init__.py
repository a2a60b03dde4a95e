"""Territoires : zonages (QPV et autres), périmètres, et leur index en mémoire."""
