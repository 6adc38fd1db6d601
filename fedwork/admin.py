"""The admin site, scoped by fedwork.access like every other page.

Administrators (role 管理员) reach it for their own subtree: its federations, its users and its
indicators. Records with rules of their own — plans, work points, targets and their splits,
activities and their figures — are shown read-only here, with a link to the app's page that
writes them through their services (``ReadOnlyAdmin``); the federation tree is written through
``fedwork.services``. Every foreign key and many-to-many an admin form accepts is limited to
``access.reachable``, which Django checks again on save.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import access, services
from .models import Federation, User

MEMBER_NEEDS_PLACE = _("非超级管理员必须属于一个妇联并有一个角色。")

# The brand on every admin page: the system's configured name (settings.FEDWORK_SITE_NAME).
admin.site.site_header = settings.FEDWORK_SITE_NAME
admin.site.site_title = settings.FEDWORK_SITE_NAME
admin.site.index_title = _("系统管理")

# Django's own help texts for these fields read as translations ("指明用户是否被认为是活跃的…");
# these say what an administrator needs to know, in the words the federations use.
USER_HELP_TEXTS = {
    "username": _("必填，登录时使用。最多150个字符，只能使用字母、数字和 @ . + - _ 。"),
    "is_active": _("停用后不能登录。人员调离时请停用，不要删除，以便保留其填报记录。"),
    "is_superuser": _("超级管理员拥有全部权限，不受所属妇联限制。"),
    "groups": _("用户拥有所在组的全部权限。"),
    "user_permissions": _("单独授予该用户的权限。"),
    "password": _("密码不以明文保存，任何人（包括管理员）都无法查看，只能重新设置。"),
}
PERMISSION_ACTIONS = {"add": _("添加"), "change": _("修改"), "delete": _("删除"), "view": _("查看")}


def permission_label(permission: Permission) -> str:
    """A permission in words, "活动 | 活动 | 添加" (app | model | action), not "Can add activity".

    Django stores permission names in English in the database; the model's verbose name and the
    codename's action (add/change/delete/view) are translatable. A custom permission keeps its name.
    """
    model = permission.content_type.model_class()
    action, _sep, _rest = permission.codename.partition("_")
    if model is None or action not in PERMISSION_ACTIONS:
        return f"{permission.content_type.app_label} | {permission.name}"
    recorded = getattr(model, "instance_type", None)  # simple_history's model names "historical 活动"
    name = model._meta.verbose_name
    if recorded is not None:
        name = _("%(model)s（历史记录）") % {"model": recorded._meta.verbose_name}
    return f"{model._meta.app_config.verbose_name} | {name} | {PERMISSION_ACTIONS[action]}"


def _label_permissions(field):
    queryset = getattr(field, "queryset", None)
    if queryset is not None and queryset.model is Permission:
        field.queryset = field.queryset.select_related("content_type")
        field.label_from_instance = permission_label
    return field


class PasswordStatusWidget(forms.Widget):
    """Whether a password is set, and the way to set a new one — never the hash's algorithm, iterations
    or salt (Django's ReadOnlyPasswordHashWidget shows them, which tells an administrator nothing)."""

    def render(self, name, value, attrs=None, renderer=None):
        usable = bool(value) and not value.startswith(UNUSABLE_PASSWORD_PREFIX)
        return format_html(
            '<div><p>{}</p><p><a class="button" href="../password/">{}</a></p></div>',
            _("已设置密码。") if usable else _("尚未设置密码。"),
            _("重新设置密码") if usable else _("设置密码"),
        )


class SubtreeScopedAdmin(admin.ModelAdmin):
    """Non-superusers see and manage only objects whose federation is in their subtree."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        lookup = access.federation_lookup(self.model)
        if lookup == "":
            return queryset if request.user.is_superuser else queryset.none()
        return access.scope_to_user(queryset, request.user, lookup)

    def get_changelist_instance(self, request):
        # A NUL byte in a filter or search (?kind=%00) would reach PostgreSQL, which refuses it with
        # an error: answered as any invalid filter instead (the admin redirects to ?e=1).
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                raise IncorrectLookupParameters
        return super().get_changelist_instance(request)

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


class HistoryNotRevertedMixin:
    """For a simple_history admin: a past version is shown, never saved. SIMPLE_HISTORY_REVERT_DISABLED
    only hides the button; simple_history's version page saves any POST of a user who may *view* the
    object, which would write around the services (counts, totals, locks). PermissionDenied (403)."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method not in ("GET", "HEAD"):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


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
    fields = ["code", "name", "short_name", "level", "parent"]  # path and depth are the tree's internals
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


class ChineseHelpTextsMixin:
    """Replaces Django's help texts with USER_HELP_TEXTS."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, text in USER_HELP_TEXTS.items():
            if name in self.fields:
                self.fields[name].help_text = text
        _label_permissions(self.fields.get("user_permissions"))


class MemberCreationForm(MemberFormMixin, ChineseHelpTextsMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["username", "federation", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password2"].help_text = _("请再输入一次，以免输错。")


class MemberChangeForm(MemberFormMixin, ChineseHelpTextsMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "password" in self.fields:
            self.fields["password"].widget = PasswordStatusWidget()


class MemberPasswordForm(AdminPasswordChangeForm):
    """Sets a member's new password. Without Django's "password-based authentication" switch: every
    member logs in with a password (there is no single sign-on or LDAP), and a member who leaves is
    deactivated, not left without a password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("usable_password", None)
        for name in ("password1", "password2"):
            self.fields[name].required = True
        self.fields["password2"].help_text = _("请再输入一次，以免输错。")


@admin.register(User)
class UserAdmin(SubtreeScopedAdmin, BaseUserAdmin):
    """Users are deactivated, never deleted: the audit trail keeps who did what by name."""

    form = MemberChangeForm
    add_form = MemberCreationForm
    change_password_form = MemberPasswordForm
    change_user_password_template = "admin/fedwork/user/change_password.html"
    list_display = ["username", "full_name", "federation", "role", "is_active"]
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

    @admin.display(description=_("姓名"), ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()

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


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin):
    """Django's group admin, with the permissions named in Chinese."""

    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        return _label_permissions(super().formfield_for_manytomany(db_field, request=request, **kwargs))
