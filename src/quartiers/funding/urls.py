from django.urls import path

from quartiers.funding import views

app_name = "funding"

urlpatterns = [
    path("financements/mes-demandes", views.mine, name="mine"),
    path("financements/nouvelle-demande", views.create, name="create"),
    path("financements/instruction", views.queue, name="queue"),
    path("financements/instruction/groupe", views.bulk, name="bulk"),
    path("financements/demandes/<int:pk>", views.detail, name="detail"),
    path("financements/demandes/<int:pk>/etape/<str:name>", views.step, name="step"),
    path("financements/demandes/<int:pk>/agir", views.act, name="act"),
    path("financements/lignes/<int:pk>/decision", views.decide, name="decide"),
    path("financements/pieces/<int:pk>", views.document, name="document"),
    path("financements/structures/<int:pk>", views.organisation, name="organisation"),
    path("financements/contrats", views.contracts, name="contracts"),
    path("financements/contrats/<int:pk>", views.contract, name="contract"),
    path("financements/appels/<int:pk>", views.call, name="call"),
]
