from django.contrib import admin

from .models import DemoTaskRun


@admin.register(DemoTaskRun)
class DemoTaskRunAdmin(admin.ModelAdmin):
    list_display = ("id", "status", "seconds", "attempts", "completions", "created_at", "finished_at")
    list_filter = ("status",)
    readonly_fields = ("attempts", "completions", "created_at", "started_at", "finished_at")
