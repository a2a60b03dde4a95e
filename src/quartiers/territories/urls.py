"""Pages de l'atlas et des fiches de quartier."""

from django.urls import path

from quartiers.territories import views

urlpatterns = [
    path("atlas", views.atlas, name="atlas"),
    path("atlas/perimetres.geojson", views.atlas_geojson, name="atlas-geojson"),
    path("qpv/<str:code>", views.qpv_detail, name="qpv-detail"),
]
