"""Pages des dispositifs : simulateur et paramètres."""

from django.urls import path, re_path

from quartiers.programmes import views

app_name = "programmes"
urlpatterns = [
    path("dispositifs/", views.index, name="index"),
    path("dispositifs/parametres/", views.parameters, name="parameters"),
    # Adresses en français (/dispositifs/personne/…) ; les anciennes (/dispositifs/simulateur/
    # person/) redirigent, questionnaire compris.
    re_path(
        r"^dispositifs/(?P<slug>personne|employeur|structure)/$", views.simulator, name="simulator"
    ),
    path("dispositifs/simulateur/<str:audience>/", views.old_simulator_url),
]
