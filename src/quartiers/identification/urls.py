from django.urls import path

from quartiers.identification import views

app_name = "identification"

urlpatterns = [
    path("identification/", views.index, name="index"),
    path("identification/<int:pk>/", views.detail, name="detail"),
    path("identification/traitements/<str:token>", views.job, name="job"),
    path("identification/<int:pk>/edition/", views.save_edition, name="save_edition"),
]
