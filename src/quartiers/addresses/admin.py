"""Administration des fichiers traités en arrière-plan."""

from django.contrib import admin

from quartiers.addresses.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin[Job]):
    list_display = ("created_at", "kind", "input_name", "status", "rows", "in_qpv", "errors")
    list_filter = ("status", "kind")
