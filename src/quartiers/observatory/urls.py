from django.urls import path

from quartiers.observatory import views

app_name = "observatory"

urlpatterns = [
    path("observatoire/qpv/<str:code>.csv", views.profile_csv, name="profile-csv"),
    path("observatoire/qpv/<str:code>.pdf", views.profile_pdf, name="profile-pdf"),
    path("observatoire/qpv/<str:code>", views.profile, name="profile"),
    path("observatoire/rapport", views.report, name="report"),
    path("observatoire/rapport.csv", views.report_csv, name="report-csv"),
    path("observatoire/rapport.pdf", views.report_pdf, name="report-pdf"),
]
