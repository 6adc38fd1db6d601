"""The admin site, scoped by fedwork.access like every other page.

Administrators (role 管理员) reach it for their own subtree: its federations and its users.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from . import access
from .models import Federation, Role, User


class SubtreeScopedAdmin(admin.ModelAdmin):
    """Non-superusers see and manage only objects whose federation is in their subtree."""

    federation_field = "federation"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return access.scope_to_user(queryset, request.user, self.federation_field)

    def _manages(self, request, obj=None):
        if not request.user.is_active:
            return False  # anonymous visitors on the admin login page, and disabled accounts
        if request.user.is_superuser:
            return True
        if request.user.role != Role.ADMIN or not request.user.federation_id:
            return False
        if obj is None:
            return True
        federation = obj
        for attribute in self.federation_field.split("__") if self.federation_field else []:
            federation = getattr(federation, attribute)
        return federation is not None and access.can_manage(request.user, federation)

    def has_module_permission(self, request):
        return self._manages(request)

    def has_view_permission(self, request, obj=None):
        return self._manages(request, obj)

    def has_add_permission(self, request):
        return self._manages(request)

    def has_change_permission(self, request, obj=None):
        return self._manages(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._manages(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Federation and not request.user.is_superuser:
            kwargs["queryset"] = access.visible_federations(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Federation)
class FederationAdmin(SubtreeScopedAdmin):
    federation_field = None
    list_display = ["name", "short_name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "short_name", "code"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]
    fields = ["code", "name", "short_name", "level", "parent", "path", "depth"]
    list_select_related = ["parent"]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        # An administrator may rename their own federation but not move it or re-code it.
        if obj is not None and not request.user.is_superuser and obj.pk == request.user.federation_id:
            fields += ["code", "parent", "level"]
        return fields

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not request.user.is_superuser and obj.pk == request.user.federation_id:
            return False
        return super().has_delete_permission(request, obj)


class MemberCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "federation", "role"]


class MemberChangeForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


@admin.register(User)
class UserAdmin(SubtreeScopedAdmin, BaseUserAdmin):
    form = MemberChangeForm
    add_form = MemberCreationForm
    list_display = ["username", "last_name", "first_name", "federation", "role", "is_active"]
    list_filter = ["role", "is_active", "is_superuser"]
    search_fields = ["username", "first_name", "last_name", "federation__name"]
    autocomplete_fields = ["federation"]
    list_select_related = ["federation"]
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

    def _manages(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super()._manages(request, obj)
