from django.urls import path

from quartiers.observatory import views

app_name = "observatory"

urlpatterns = [
    path("observatoire/qpv/<str:code>", views.profile, name="profile"),
]
