"""Pages « adresse » : vérification, attestation, fichiers d'adresses ou de points."""

from django.urls import path

from quartiers.addresses import views
from quartiers.jobs import views as jobs_views

urlpatterns = [
    path("adresse", views.address, name="address"),
    path("adresse/attestation", views.attestation, name="attestation"),
    path("attestation/verifier/<str:token>", views.attestation_verify, name="attestation-verify"),
    path("adresse/lot", views.batch, name="batch"),
    path("adresse/lot/<uuid:token>", views.batch_job, name="batch-job"),
    path("adresse/lot/<uuid:token>/resultat.csv", jobs_views.result, name="batch-job-result"),
]
