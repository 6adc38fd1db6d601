"""The assessment in the admin: read-only and scoped to the administrator's subtree like every
record (fedwork.admin.ReadOnlyAdmin); every change goes through the pages and assessments.services."""

from django.contrib import admin

from fedwork import access
from fedwork.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Assessment, AssessmentEvent, ItemScore, Scheme, SchemeArea, SchemeItem


class SchemeAreaInline(ReadOnlyInline):
    model = SchemeArea


@admin.register(Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ["name", "federation", "year", "status", "published_at"]
    list_filter = ["status", "year"]
    search_fields = ["name"]
    list_select_related = ["federation"]
    inlines = [SchemeAreaInline]


@admin.register(SchemeItem)
class SchemeItemAdmin(ReadOnlyAdmin):
    list_display = ["name", "area", "max_points", "rule"]
    list_filter = ["rule"]
    search_fields = ["name"]
    list_select_related = ["area"]
    view_on_site = False


class AssessmentEventInline(ReadOnlyInline):
    model = AssessmentEvent
    show_change_link = False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ["federation", "scheme", "status", "total", "grade", "objection_until"]
    list_filter = ["status"]
    list_select_related = ["federation", "scheme"]
    inlines = [AssessmentEventInline]


@admin.register(ItemScore)
class ItemScoreAdmin(ReadOnlyAdmin):
    list_display = ["assessment", "item", "self_points", "review_points", "needs_evidence"]
    list_select_related = ["assessment__federation", "assessment__scheme", "item"]
    view_on_site = False

    def get_queryset(self, request):
        # The reviewer's points and comments stay the reviewer's until the review is complete.
        return super().get_queryset(request).filter(access.review_scores_visible(request.user))
