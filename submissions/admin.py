from django.contrib import admin

from fedwork.admin import ReadOnlyAdmin, SubtreeScopedAdmin

from .models import Notification, ReminderLog, ReportingSchedule, Submission, SubmissionEvent, ValidationRule


@admin.register(ReportingSchedule)
class ReportingScheduleAdmin(ReadOnlyAdmin):
    list_display = ["federation", "year", "frequency", "due_day"]
    list_filter = ["year", "frequency"]
    view_on_site = False


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    """Submitted, reviewed and reopened on the site (submissions.services): shown here only."""

    list_display = ["federation", "year", "frequency", "number", "status", "first_submitted_at", "due_date"]
    list_filter = ["year", "frequency", "status"]
    list_select_related = ["federation"]


@admin.register(SubmissionEvent)
class SubmissionEventAdmin(ReadOnlyAdmin):
    list_display = ["submission", "action", "by", "at", "note"]
    list_filter = ["action"]
    view_on_site = False


@admin.register(ValidationRule)
class ValidationRuleAdmin(SubtreeScopedAdmin):
    """Rules between indicators for a federation's subtree, set by its administrators: a warning
    when an activity is saved, blocking when a report is submitted."""

    list_display = ["federation", "left", "operator", "right"]
    list_select_related = ["federation", "left", "right"]
    autocomplete_fields = ["federation", "left", "right"]


@admin.register(ReminderLog)
class ReminderLogAdmin(ReadOnlyAdmin):
    """Which reminder went to whom on which day (never twice for the same item and day)."""

    list_display = ["user", "day", "item_key"]
    list_filter = ["day"]
    view_on_site = False


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["user", "text", "created_at", "read_at"]
    view_on_site = False
