from django.contrib import admin
from import_export import fields, resources, widgets
from import_export.admin import ExportMixin, ImportExportModelAdmin

from fedwork import access
from fedwork.admin import ReadOnlyAdmin, ReadOnlyInline, SubtreeScopedAdmin
from fedwork.models import Federation

from .models import Indicator, Plan, PlanEvent, PlannedActivity, Target, WorkPoint


class IndicatorResource(resources.ModelResource):
    owner = fields.Field(
        attribute="owner", column_name="owner", widget=widgets.ForeignKeyWidget(Federation, field="code")
    )
    numerator = fields.Field(
        attribute="numerator",
        column_name="numerator",
        widget=widgets.ForeignKeyWidget(Indicator, field="code"),
    )
    denominator = fields.Field(
        attribute="denominator",
        column_name="denominator",
        widget=widgets.ForeignKeyWidget(Indicator, field="code"),
    )
    base = fields.Field(
        attribute="base", column_name="base", widget=widgets.ForeignKeyWidget(Indicator, field="code")
    )

    class Meta:
        model = Indicator
        import_id_fields = ["code"]
        fields = [
            "code",
            "name",
            "unit",
            "kind",
            "decimal_places",
            "owner",
            "numerator",
            "denominator",
            "base",
            "keywords",
        ]
        export_order = fields
        skip_unchanged = True


class TargetResource(resources.ModelResource):
    federation = fields.Field(attribute="plan__federation__code", column_name="federation", readonly=True)
    year = fields.Field(attribute="plan__year", column_name="year", readonly=True)
    work_point = fields.Field(
        attribute="work_point", column_name="work_point", widget=widgets.ForeignKeyWidget(WorkPoint)
    )
    indicator = fields.Field(
        attribute="indicator",
        column_name="indicator",
        widget=widgets.ForeignKeyWidget(Indicator, field="code"),
    )

    class Meta:
        model = Target
        fields = [
            "id",
            "federation",
            "year",
            "work_point",
            "indicator",
            "comparator",
            "value",
            "max_value",
            "cadence",
            "due_date",
            "weight",
            "source_text",
        ]
        export_order = fields
        skip_unchanged = True

    def before_save_instance(self, instance, row, **kwargs):
        instance.plan_id = instance.work_point.plan_id


class SuperuserImportMixin:
    """Imports write across federations, so only superusers import; everyone in the admin may export."""

    def has_import_permission(self, request):
        return request.user.is_superuser


@admin.register(Indicator)
class IndicatorAdmin(SuperuserImportMixin, SubtreeScopedAdmin, ImportExportModelAdmin):
    """The catalogue (from above) is shown to everyone; a federation's own indicators are
    changed by its administrators."""

    resource_classes = [IndicatorResource]
    list_display = ["code", "name", "unit", "kind", "owner"]
    list_filter = ["kind", "unit"]
    search_fields = ["code", "name", "keywords"]
    autocomplete_fields = ["owner", "numerator", "denominator", "base"]

    def get_queryset(self, request):
        return access.reachable(request.user, Indicator)


class WorkPointInline(ReadOnlyInline):
    model = WorkPoint
    fields = ["label", "title", "parent", "order"]


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "federation", "year", "status"]
    list_filter = ["year", "status"]
    search_fields = ["title", "doc_number", "federation__name"]
    list_select_related = ["federation"]
    inlines = [WorkPointInline]


@admin.register(Target)
class TargetAdmin(ExportMixin, ReadOnlyAdmin):
    """Targets and their splits are written on the plan's pages (plans.services); exported here."""

    resource_classes = [TargetResource]
    list_display = ["__str__", "plan", "work_point", "indicator", "value", "cadence", "weight"]
    list_filter = ["plan__year", "cadence", "comparator"]
    search_fields = ["source_text", "indicator__name", "plan__federation__name"]
    list_select_related = ["plan__federation", "work_point", "indicator"]

    def view_on_site(self, obj):
        return obj.plan.get_absolute_url()


@admin.register(PlanEvent)
class PlanEventAdmin(ReadOnlyAdmin):
    list_display = ["plan", "action", "by", "at", "note"]
    list_filter = ["action"]
    list_select_related = ["plan__federation", "by"]
    view_on_site = False


@admin.register(PlannedActivity)
class PlannedActivityAdmin(ReadOnlyAdmin):
    list_display = ["title", "month", "plan"]
    list_select_related = ["plan__federation"]

    def view_on_site(self, obj):
        return obj.plan.get_absolute_url()
