from django.urls import path

from quartiers.web import views

urlpatterns = [
    path("", views.home, name="home"),
]
