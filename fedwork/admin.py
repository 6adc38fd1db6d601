"""The admin site, scoped by fedwork.access like every other page.

Administrators (role 管理员) reach it for their own subtree: its federations, its users and its
indicators. Records with rules of their own — plans, work points, targets and their splits,
activities and their figures — are shown read-only here, with a link to the app's page that
writes them through their services (``ReadOnlyAdmin``); the federation tree is written through
``fedwork.services``. Every foreign key and many-to-many an admin form accepts is limited to
``access.reachable``, which Django checks again on save.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import access, services
from .models import Federation, User

MEMBER_NEEDS_PLACE = _("非超级管理员必须属于一个妇联并有一个角色。")


class SubtreeScopedAdmin(admin.ModelAdmin):
    """Non-superusers see and manage only objects whose federation is in their subtree."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        lookup = access.federation_lookup(self.model)
        if lookup == "":
            return queryset if request.user.is_superuser else queryset.none()
        return access.scope_to_user(queryset, request.user, lookup)

    def has_module_permission(self, request):
        return access.may_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return access.may_admin(request.user, obj)

    def has_add_permission(self, request):
        return access.may_admin(request.user)

    def has_change_permission(self, request, obj=None):
        return access.may_admin(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return access.may_admin(request.user, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", access.reachable(request.user, db_field.related_model))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs.setdefault("queryset", access.reachable(request.user, db_field.related_model))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ReadOnlyMixin:
    """Shown, never written here: these records change only through the app's pages and services
    (which keep totals, plan events, splits and locks right)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, SubtreeScopedAdmin):
    """A read-only model admin; "在网站上查看" opens the app's page."""

    view_on_site = True


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


class FederationForm(forms.ModelForm):
    class Meta:
        model = Federation
        fields = ["code", "name", "short_name", "level", "parent"]

    def __init__(self, *args, by: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.by = by

    def clean(self):
        cleaned = super().clean()
        if "parent" in self.fields:
            try:
                services.check_parent(self.instance, cleaned.get("parent"), self.by)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


@admin.register(Federation)
class FederationAdmin(SubtreeScopedAdmin):
    form = FederationForm
    list_display = ["name", "short_name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    fields = ["code", "name", "short_name", "level", "parent", "path", "depth"]
    list_select_related = ["parent"]
    show_full_result_count = False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class BoundFederationForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, by=request.user, **inner)

        return BoundFederationForm

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # An administrator may rename their own federation but not move it or re-code it.
        if obj is not None and not request.user.is_superuser and obj.pk == request.user.federation_id:
            fields += ["code", "parent", "level"]
        return fields

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if not change:
            services.federation_create(
                by=request.user,
                parent=data.get("parent"),
                **{name: data[name] for name in ("code", "name", "short_name", "level")},
            )
            return
        if {"parent", "code"} & set(form.changed_data):
            services.federation_move(federation=obj, parent=obj.parent, code=obj.code, by=request.user)
        services.federation_update(
            federation=obj,
            by=request.user,
            **{name: getattr(obj, name) for name in ("name", "short_name", "level")},
        )

    def response_add(self, request, obj, post_url_continue=None):
        # save_model made the row through the service; point the admin's redirect at it.
        obj.pk = Federation.objects.get(code=obj.code).pk
        return super().response_add(request, obj, post_url_continue)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and obj.pk == request.user.federation_id:
            return False
        return super().has_delete_permission(request, obj)


class MemberFormMixin:
    """Members belong to a federation and act in a role; only superusers may be neither."""

    def clean(self):
        cleaned = super().clean()
        superuser = cleaned.get("is_superuser", getattr(self.instance, "is_superuser", False))
        if not superuser:
            for name in ("federation", "role"):
                if name in self.fields and not cleaned.get(name):
                    self.add_error(name, MEMBER_NEEDS_PLACE)
        return cleaned


class MemberCreationForm(MemberFormMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "federation", "role"]


class MemberChangeForm(MemberFormMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(SubtreeScopedAdmin, BaseUserAdmin):
    """Users are deactivated, never deleted: the audit trail keeps who did what by name."""

    form = MemberChangeForm
    add_form = MemberCreationForm
    list_display = ["username", "last_name", "first_name", "federation", "role", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    search_fields = ["username", "first_name", "last_name", "federation__name"]
    autocomplete_fields = ["federation"]
    list_select_related = ["federation"]
    actions = ["deactivate"]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "federation", "role", "password1", "password2"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        fieldsets = [
            (None, {"fields": ["username", "password"]}),
            (_("个人信息"), {"fields": ["last_name", "first_name", "email"]}),
            (_("所属与角色"), {"fields": ["federation", "role", "is_active"]}),
            (_("登录记录"), {"fields": ["last_login", "date_joined"]}),
        ]
        if request.user.is_superuser:
            fieldsets.append((_("超级权限"), {"fields": ["is_superuser", "groups", "user_permissions"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        fields = ["last_login", "date_joined"]
        if obj is not None and obj.pk == request.user.pk and not request.user.is_superuser:
            fields += ["federation", "role", "is_active"]  # nobody promotes or moves themselves
        return fields

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("停用所选用户"))
    def deactivate(self, request, queryset):
        queryset = queryset.exclude(pk=request.user.pk)
        if not request.user.is_superuser:
            queryset = queryset.exclude(is_superuser=True)
        count = queryset.update(is_active=False)
        self.message_user(
            request,
            ngettext("已停用 %(count)d 个用户。", "已停用 %(count)d 个用户。", count) % {"count": count},
            messages.SUCCESS,
        )
