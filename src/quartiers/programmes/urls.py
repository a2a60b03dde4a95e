"""Pages des dispositifs : simulateur et paramètres."""

from django.urls import path

from quartiers.programmes import views

app_name = "programmes"
urlpatterns = [
    path("dispositifs/", views.index, name="index"),
    path("dispositifs/parametres/", views.parameters, name="parameters"),
    path("dispositifs/simulateur/<str:audience>/", views.simulator, name="simulator"),
]
