"""Pages des territoires (atlas, fiches, vérification d'adresse)."""

urlpatterns: list = []
