from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from fedwork.admin import HistoryNotRevertedMixin, ReadOnlyAdmin, ReadOnlyInline

from .models import Activity, ActivityType, CalendarFeed, Figure


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    """The managed list of activity types; the whole system shares it, so superusers keep it."""

    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]


class FigureInline(ReadOnlyInline):
    model = Figure
    show_change_link = False


@admin.register(Activity)
class ActivityAdmin(HistoryNotRevertedMixin, ReadOnlyAdmin, SimpleHistoryAdmin):
    """Activities and figures change through activities.services (totals, locks, history): here
    they are read, with their history, and opened on the site to be edited."""

    list_display = ["title", "federation", "year", "type", "status", "calendar_day"]
    list_filter = ["year", "status", "type"]
    search_fields = ["title", "place", "federation__name"]
    list_select_related = ["federation", "type"]
    inlines = [FigureInline]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ["federation", "created_at"]
    view_on_site = False
