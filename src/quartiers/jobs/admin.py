from django.contrib import admin

from quartiers.jobs.models import Job, JobEvent, Worker


class JobEventInline(admin.TabularInline[JobEvent, Job]):
    model = JobEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "event", "from_state", "to_state", "message", "actor", "actor_label"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin[Job]):
    list_display = ["token", "kind", "state", "progress", "attempts", "created_at", "finished_at"]
    list_filter = ["state", "kind"]
    search_fields = ["token", "kind"]
    readonly_fields = [f.name for f in Job._meta.fields]
    inlines = [JobEventInline]


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin[Worker]):
    list_display = ["worker_id", "hostname", "pid", "started_at", "heartbeat_at", "stopped_at"]
