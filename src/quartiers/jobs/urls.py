from django.urls import path

from quartiers.jobs import views

app_name = "jobs"

urlpatterns = [
    path("traitements/<str:token>", views.detail, name="detail"),
    path("traitements/<str:token>/etat", views.status, name="status"),
    path("traitements/<str:token>/annuler", views.cancel, name="cancel"),
    path("traitements/<str:token>/resultat", views.result, name="result"),
]
