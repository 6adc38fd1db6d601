from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fedwork.admin import SubtreeScopedAdmin

from .models import Activity, ActivityType, CalendarFeed, Figure


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    """The managed list of activity types; the whole system shares it, so superusers keep it."""

    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]


class FigureInline(admin.TabularInline):
    model = Figure
    extra = 0
    autocomplete_fields = ["indicator"]


@admin.register(Activity)
class ActivityAdmin(SubtreeScopedAdmin, SimpleHistoryAdmin):
    list_display = ["title", "federation", "year", "type", "status", "calendar_day"]
    list_filter = ["year", "status", "type"]
    search_fields = ["title", "place", "federation__name"]
    autocomplete_fields = ["federation"]
    raw_id_fields = ["work_points", "achieves"]
    readonly_fields = ["created_by", "updated_by", "created_at", "updated_at"]
    list_select_related = ["federation", "type"]
    inlines = [FigureInline]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(SubtreeScopedAdmin):
    list_display = ["federation", "created_at"]
    readonly_fields = ["token"]
