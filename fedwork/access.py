"""The one place that decides who may see and change what.

Rules:
- a user sees their own federation and everything below it (superusers see everything);
- what ancestors hand down (published plans, split targets, announced activities) is added by
  each app's ``for_user`` queryset using :func:`ancestor_ids`;
- staff (填报员) edit the records of their own federation only; leaders edit nothing;
- admins (管理员) manage users and the hierarchy within their subtree.

Anything outside a user's reach is a 404, never a 403 that would confirm it exists.
"""

from django.db.models import Model, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from .models import Federation, Role, User


def home_federation(user: User) -> Federation | None:
    """Where a user's view of the tree starts: their federation, or the top for superusers."""
    if user.federation_id:
        return user.federation
    if user.is_superuser:
        return Federation.objects.filter(parent__isnull=True).order_by("path").first()
    return None


def visible_federations(user: User) -> QuerySet[Federation]:
    if not user.is_authenticated:
        return Federation.objects.none()
    if user.is_superuser:
        return Federation.objects.all()
    if not user.federation_id:
        return Federation.objects.none()
    return Federation.objects.subtree(user.federation)


def can_view(user: User, federation: Federation) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return bool(user.federation_id) and federation.is_in_subtree_of(user.federation)


def can_edit_records(user: User, federation: Federation) -> bool:
    """May this user create or change the records (plans, activities …) of this federation?"""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.role == Role.STAFF and user.federation_id == federation.pk


def can_manage(user: User, federation: Federation) -> bool:
    """May this user manage this federation's node and its users (admins, within their subtree)?"""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.role == Role.ADMIN and can_view(user, federation)


def ancestor_ids(user: User) -> list[int]:
    """Ids of the federations above the user's own: the ones that hand things down to them."""
    if not user.federation_id:
        return []
    return list(
        Federation.objects.filter(code__in=user.federation.ancestor_codes).values_list("pk", flat=True)
    )


def scope_to_user(queryset: QuerySet, user: User, federation_field: str | None = "federation") -> QuerySet:
    """Restrict records that belong to a federation to those in the user's subtree.

    ``federation_field=None`` scopes a queryset of federations themselves.
    """
    if not user.is_authenticated:
        return queryset.none()
    if user.is_superuser:
        return queryset
    if not user.federation_id:
        return queryset.none()
    return queryset.filter(Federation.objects.subtree_q(user.federation, federation_field))


def get_federation_for_user_or_404(user: User, code: str) -> Federation:
    # One's own federation is loaded with the user (fedwork.backends) and always within reach.
    if user.is_authenticated and user.federation_id and user.federation.code == code:
        return user.federation
    return get_object_or_404(visible_federations(user), code=code)


def visible_ancestors(user: User, federation: Federation) -> list[Federation]:
    """The federations above this one that the user may see, from the top down (a breadcrumb).

    Most pages show one's own federation or a child of it: those need no query.
    """
    home = user.federation if user.federation_id and not user.is_superuser else None
    if home is not None and federation.pk == home.pk:
        return []  # nothing above one's own federation is within reach
    if home is not None and federation.parent_id == home.pk:
        return [home]
    return list(visible_federations(user).ancestors_of(federation))


def get_object_for_user_or_404(
    queryset: QuerySet, user: User, federation_field: str = "federation", **lookups
) -> Model:
    """Like get_object_or_404, but outsiders get a 404 whatever id they put in the URL."""
    if user.is_authenticated and not user.is_superuser and user.federation_id:
        # One row by its key: the join on the path costs nothing here and saves the ids' query.
        lookup = f"{federation_field}__path__startswith" if federation_field else "path__startswith"
        queryset = queryset.filter(**{lookup: user.federation.path})
    else:
        queryset = scope_to_user(queryset, user, federation_field)
    return get_object_or_404(queryset, **lookups)


def require_edit(user: User, federation: Federation) -> None:
    """Raise 404 unless the user may change this federation's records (read-only users included)."""
    if not can_edit_records(user, federation):
        raise Http404


# --- What a user may do to a record (every page, the admin, the import and the API ask here) --------


def may_edit_plan(user: User, plan) -> bool:
    """Staff change their own federation's plan (points, targets, title) while it is a draft; the
    same user publishes it."""
    return plan.is_draft and can_edit_records(user, plan.federation)


may_publish_plan = may_edit_plan


def may_archive_plan(user: User, plan) -> bool:
    return plan.is_published and can_edit_records(user, plan.federation)


def may_reopen_plan(user: User, plan) -> bool:
    """A leader or admin of the plan's own federation (or a superuser) reopens a published plan."""
    if not plan.is_published or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.federation_id == plan.federation_id and user.role in (Role.LEADER, Role.ADMIN)


def may_split_targets(user: User, plan) -> bool:
    """Staff split their own federation's targets among its children, draft or published."""
    return not plan.is_archived and can_edit_records(user, plan.federation)


def may_import_activities(user: User) -> bool:
    """Staff of a federation and superusers may upload an activity workbook; each row's federation
    must still pass :func:`can_edit_records`."""
    if not user.is_authenticated:
        return False
    return can_edit_records(user, user.federation) if user.federation_id else user.is_superuser


def may_use_admin(user: User) -> bool:
    """The admin site is for superusers and the hierarchy's administrators (管理员)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.role == Role.ADMIN and bool(user.federation_id))


def federation_of(obj, lookup: str | None) -> Federation | None:
    """The federation a record belongs to, following ``lookup`` (``"plan__federation"``); None for
    a federation itself (lookup None returns the object)."""
    federation = obj
    for attribute in lookup.split("__") if lookup else []:
        federation = getattr(federation, attribute, None)
        if federation is None:
            return None
    return federation


def federation_lookup(model) -> str | None:
    """How a model's rows reach their federation: ``model.federation_lookup`` ("federation",
    "plan__federation" …), None for Federation itself. Models without one are reference data."""
    if model is Federation:
        return None
    return getattr(model, "federation_lookup", "")


def reachable(user: User, model) -> QuerySet:
    """The rows of ``model`` a user may point a foreign key or many-to-many at when writing.

    Records of federations are limited to the user's subtree, indicators to the ones defined in it
    or above it (the catalogue), users to the subtree's members; reference data without a
    federation (activity types) is shared. Superusers reach everything. Every form and admin form
    limits its choices with this, and Django's ModelChoiceField refuses any other id on save.
    """
    queryset = model._default_manager.all()
    if user.is_authenticated and user.is_superuser:
        return queryset
    if not user.is_authenticated or not user.federation_id:
        return queryset.none()

    if model._meta.label == "plans.Indicator":
        # The catalogue comes from above; a federation's own indicators are shared with its subtree.
        subtree = Federation.objects.filter(path__startswith=user.federation.path)
        above = Federation.objects.ancestor_pks(user.federation)
        return queryset.filter(Q(owner__in=subtree) | Q(owner__in=above))
    lookup = federation_lookup(model)
    if lookup == "":
        if model._meta.app_label in ("auth", "contenttypes", "admin", "sessions"):
            return queryset.none()  # permissions and groups are the superuser's
        return queryset
    return scope_to_user(queryset, user, lookup)


def may_admin(user: User, obj: Model | None = None) -> bool:
    """May this user see (and, where the admin allows writes, change) ``obj`` in the admin site?

    Without an object: may they use the admin at all. A record belongs to the federation its
    model's ``federation_lookup`` reaches; administrators manage their own subtree, and only
    superusers touch superusers.
    """
    if not may_use_admin(user):
        return False
    if user.is_superuser or obj is None:
        return True
    if isinstance(obj, User) and obj.is_superuser:
        return False
    lookup = federation_lookup(type(obj))
    if lookup == "":
        return False  # reference data (activity types, groups) is the superuser's
    federation = federation_of(obj, lookup)
    return federation is not None and can_manage(user, federation)


# --- Periodic reports (submissions) ------------------------------------------------------------------


def may_submit(user: User, federation: Federation) -> bool:
    """Staff report their own federation's figures (上报)."""
    return can_edit_records(user, federation)


def may_review(user: User, federation: Federation) -> bool:
    """The direct upper federation's leader or admin reviews (审核, 退回, 重新打开) a federation's reports;
    superusers may too. Anyone else, siblings included, is refused (the views answer 404)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return (
        federation.parent_id is not None
        and user.federation_id == federation.parent_id
        and user.role in (Role.LEADER, Role.ADMIN)
    )


def may_set_schedule(user: User, federation: Federation) -> bool:
    """A federation's staff and admins set the reporting periods for everything below it (leaders
    review reports; they edit no records)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return user.federation_id == federation.pk and user.role in (Role.STAFF, Role.ADMIN)


def may_see_burden(user: User, federation: Federation) -> bool:
    """The burden ledger of a federation is for the leaders and admins of it and of the federations
    above it (who do the asking); staff and outsiders are refused (404)."""
    if not can_view(user, federation) or not user.is_active:
        return False
    return user.is_superuser or user.role in (Role.LEADER, Role.ADMIN)


def may_see_ranking(user: User, federation: Federation) -> bool:
    """Rankings of a federation's children (排名) are for the leaders of that federation only (the
    burden-reduction rules: no public point rankings); everyone else sees scores without ranks."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.federation_id == federation.pk and user.role == Role.LEADER)


# --- Evidence files (佐证材料, the evidence app) ------------------------------------------------------


def may_see_attachment(user: User, attachment) -> bool:
    """A file is for those who may see its federation's records: the federation itself and the ones
    above it (siblings and cousins never, whatever URL they try). Deleted files stay visible to the
    administrators of the subtree for the audit; purged ones are gone for everyone. Lower federations
    that see an upper federation's main activity do not see its files."""
    if not user.is_authenticated or not user.is_active or attachment.purged_at is not None:
        return False
    if attachment.deleted_at is not None:
        return can_manage(user, attachment.federation)
    return can_view(user, attachment.federation)


def may_attach(user: User, activity) -> bool:
    """Staff attach files to their own federation's activities, as they edit them (can_edit_records).

    Not refused in a period an approved report has locked: a file is not a figure, it changes no
    reported number, and evidence is often gathered after the report (for the year-end assessment)."""
    return can_edit_records(user, activity.federation)


def may_delete_attachment(user: User, attachment) -> bool:
    """The uploader (while still staff of that federation) or an administrator of the subtree deletes
    a file (kept for the audit until purged)."""
    if attachment.deleted_at is not None or attachment.purged_at is not None:
        return False
    if can_manage(user, attachment.federation):
        return True
    return attachment.uploaded_by_id == user.pk and can_edit_records(user, attachment.federation)


def may_purge_attachment(user: User, attachment) -> bool:
    """Administrators of the subtree remove a deleted file, or one whose activity was deleted, from
    the storage for good."""
    if attachment.purged_at is not None:
        return False
    if attachment.deleted_at is None and attachment.activity_id is not None:
        return False
    return can_manage(user, attachment.federation)


def may_see_storage(user: User, federation: Federation) -> bool:
    """The storage a subtree's files take is shown to its administrators."""
    return can_manage(user, federation)


# --- The year-end assessment (考核, the assessments app) ---------------------------------------------


def may_define_scheme(user: User, federation: Federation) -> bool:
    """The leaders and admins of a federation define its assessment scheme for its direct children
    (superusers may too)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (
        user.federation_id == federation.pk and user.role in (Role.LEADER, Role.ADMIN)
    )


def may_see_scheme(user: User, scheme) -> bool:
    """A scheme is seen by those who see its federation (itself and above) and, once published, by
    the staff of the children it assesses (through their own assessment)."""
    if can_view(user, scheme.federation):
        return True
    return (
        not scheme.is_draft
        and user.is_authenticated
        and user.is_active
        and bool(user.federation_id)
        and user.federation.parent_id == scheme.federation_id
    )


def may_see_assessment(user: User, assessment) -> bool:
    """An assessment is seen by the assessed federation itself and the federations above it (the
    assessing one included); siblings, cousins and the child's own subtree never."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return bool(user.federation_id) and (
        user.federation_id == assessment.federation_id or can_view(user, assessment.scheme.federation)
    )


def may_self_assess(user: User, assessment) -> bool:
    """The assessed federation's staff and admins fill and submit its self-assessment (自评), raise
    objections (异议) and accept the scores."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (
        user.federation_id == assessment.federation_id and user.role in (Role.STAFF, Role.ADMIN)
    )


def may_review_assessment(user: User, assessment) -> bool:
    """The assessing federation's leaders and admins review (审核评分), return items for evidence,
    answer objections and finalize."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (
        user.federation_id == assessment.scheme.federation_id and user.role in (Role.LEADER, Role.ADMIN)
    )


def review_scores_visible(user: User) -> Q:
    """The item scores (assessments.ItemScore) whose review points and comments ``user`` may read,
    as a filter: the reviewers' (may_review_assessment) at every stage, everyone else's once the
    review is complete (not 自评中 or 待审核) — as the assessment pages show them. Used where rows
    are listed without their page (the admin)."""
    from assessments.models import AssessmentStatus  # assessments depends on this module

    done = ~Q(assessment__status__in=[AssessmentStatus.SELF, AssessmentStatus.SUBMITTED])
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    if user.federation_id and user.role in (Role.LEADER, Role.ADMIN):
        return done | Q(assessment__scheme__federation_id=user.federation_id)
    return done


def may_see_assessment_results(user: User, scheme) -> bool:
    """The results of all the children side by side, with their ranking, are for the assessing
    federation's leaders only (no public rankings: 国办函〔2026〕12号); each child sees its own."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or (user.federation_id == scheme.federation_id and user.role == Role.LEADER)
