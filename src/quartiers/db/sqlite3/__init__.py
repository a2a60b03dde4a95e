"""SQLite de Django, avec le dossier du fichier créé à l'ouverture de la connexion."""
