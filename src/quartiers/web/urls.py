from django.urls import path

from quartiers.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibilite", views.accessibility, name="accessibility"),
    path("mentions-legales", views.legal_notice, name="legal-notice"),
    path("donnees-personnelles", views.personal_data, name="personal-data"),
]
