"""Issue #13 (Tests): random writes through every entry, interleaved, never break the roll-up or reach.

A hypothesis ``RuleBasedStateMachine`` drives the app the way its users do: staff create, edit,
cancel and delete activities through the pages (Django's test client), import workbooks through
the service and through the upload + confirm pages, the province's staff split a target on the
split page, administrators move federations in the admin (and through ``federation_move``), and
every persona also tries what it may not do (an outsider's edit, an admin POST on a read-only
activity). The machine keeps its own model of the tree and of every activity's figures.

After every step:

- ``activities.totals.differences()``, ``reach_differences()`` and ``count_differences()`` are empty
  (what ``check_rollups`` checks), and FigureTotal equals the totals the model computes
  independently, for every federation, month and indicator;
- every federation's path and depth follow the model's tree;
- nothing outside the actor's subtree changed (superusers aside), and a refused step changed
  nothing at all.
"""

import os
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import openpyxl
import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from activities import totals
from activities.importing import FIXED_COLUMNS, ImportRowsError, import_activities
from activities.models import Activity, ActivityStatus, ActivityType, Figure, FigureTotal
from fedwork import services as fedwork_services
from fedwork.models import Federation, Role, User
from plans.models import Indicator, Plan, PlanEvent, PlanStatus, Target, WorkPoint
from tests import factories

YEAR = 2013
# CI runs a quick sample; STATE_MACHINE_EXAMPLES=500 (and _STEPS=40) explores longer locally.
EXAMPLES = int(os.environ.get("STATE_MACHINE_EXAMPLES", "15"))
STEPS = int(os.environ.get("STATE_MACHINE_STEPS", "12"))
# The small tree of tests/factories.build_tree: code → parent code.
TREE = {
    "00": None,
    "43": "00",
    "4301": "43",
    "430102": "4301",
    "430102001": "430102",
    "430104": "4301",
    "37": "00",
    "3701": "37",
    "370102": "3701",
}
CODES = sorted(TREE)
# name → (federation code, role); the superuser has neither.
PERSONAS = {
    "furong_staff": ("430102", Role.STAFF),
    "yuelu_staff": ("430104", Role.STAFF),
    "lixia_staff": ("370102", Role.STAFF),
    "hunan_staff": ("43", Role.STAFF),
    "hunan_admin": ("43", Role.ADMIN),
    "superuser": (None, ""),
}
ACTORS = sorted(PERSONAS)
# indicator code → (name, unit, owner code, decimal places): the sums an activity may record.
INDICATORS = {
    "PX01": ("举办培训班期数", "期", "00", 0),
    "PX02": ("培训妇女人数", "人", "00", 0),
    "DK01": ("小额担保贷款金额", "万元", "00", 2),
    "HN01": ("湖南巾帼示范基地数", "个", "43", 0),
    "SD01": ("山东特色指标", "个", "37", 0),
}
IMPORT_INDICATORS = ["PX01", "PX02", "DK01", "HN01"]
BAD_VALUES = {0: ["-1", "2.5", "很多"], 2: ["-1", "1.234", "很多"]}
# Federations a move may pick up, and where it may try to hang them.
MOVABLE = ["4301", "430102", "430102001", "430104", "370102"]


def header(code: str) -> str:
    name, unit, _owner, _places = INDICATORS[code]
    return f"{name}（{unit}）"


def figure_values(places: int):
    """A figure as typed into the form: mostly valid, sometimes one the form must refuse."""
    whole = st.integers(0, 500).map(str)
    valid = st.one_of(whole, st.decimals(0, 500, places=2).map(str)) if places else whole
    # One in eight is bad: most saves go through, and the refusals are still tried.
    return st.tuples(st.integers(0, 7), valid, st.sampled_from(BAD_VALUES[places])).map(
        lambda choice: choice[2] if choice[0] == 0 else choice[1]
    )


def is_valid(value: str, places: int) -> bool:
    return value not in BAD_VALUES[places]


# A figure edit: leave it, clear it, or type a value (per indicator code).
FIGURE_EDITS = st.fixed_dictionaries(
    {},
    optional={
        code: st.one_of(st.none(), figure_values(places)) for code, (_n, _u, _o, places) in INDICATORS.items()
    },
)


def posted(form) -> dict:
    """What a browser sends back for a form opened from the page, untouched."""
    data = {}
    for bound in form:
        value = bound.value()
        if isinstance(bound.field, forms.BooleanField):
            if value:
                data[bound.name] = "on"
        elif value is None:
            data[bound.name] = ""
        elif isinstance(value, list | tuple):
            data[bound.name] = [str(item) for item in value]
        elif isinstance(value, datetime):
            data[bound.name] = value.strftime("%Y-%m-%dT%H:%M")
        elif isinstance(value, date):
            data[bound.name] = value.isoformat()
        else:
            data[bound.name] = str(value)
    return data


def xlsx(headers: list[str], rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "活动"
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def rows_of(inside: set[int] | None) -> dict:
    """Every domain row whose federation is not in ``inside`` (None: every row), as plain values."""

    def outside(queryset, lookup):
        if inside is None:
            return sorted(queryset.values_list())
        return sorted(queryset.exclude(**{f"{lookup}__in": inside}).values_list())

    return {
        "federations": outside(Federation.objects.all(), "pk"),
        "activities": outside(Activity.objects.all(), "federation_id"),
        "activity_points": outside(Activity.work_points.through.objects.all(), "activity__federation_id"),
        "figures": outside(Figure.objects.all(), "activity__federation_id"),
        "plans": outside(Plan.objects.all(), "federation_id"),
        "plan_events": outside(PlanEvent.objects.all(), "plan__federation_id"),
        "points": outside(WorkPoint.objects.all(), "plan__federation_id"),
        "targets": outside(Target.objects.all(), "plan__federation_id"),
        "indicators": outside(Indicator.objects.all(), "owner_id"),
    }


def everything() -> dict:
    """The whole state a refused step must leave alone, totals and history included."""
    state = rows_of(None)
    state["totals"] = sorted(FigureTotal.objects.exclude(value=0).values_list(*TOTAL_COLUMNS))
    state["history"] = (Activity.history.count(), Figure.history.count(), Target.history.count())
    return state


TOTAL_COLUMNS = ("federation_id", "year", "month", "indicator_id", "value")


class Fedwork(RuleBasedStateMachine):
    """The app, one savepoint per example; the model: ``self.parent`` and ``self.activities``."""

    def __init__(self):
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        built = factories.build_tree()
        self.fed = {federation.code: federation for federation in built.values()}
        self.pk_of = {code: federation.pk for code, federation in self.fed.items()}
        self.indicators = {
            code: factories.indicator(code, name, unit, self.fed[owner], decimal_places=places)
            for code, (name, unit, owner, places) in INDICATORS.items()
        }
        self.types = list(ActivityType.objects.ensure_defaults().values_list("pk", flat=True))
        self.users, self.clients = {}, {}
        for name, (code, role) in PERSONAS.items():
            user = factories.user(name.replace("_", "-"), self.fed.get(code), role, is_superuser=code is None)
            client = Client()
            client.force_login(user)
            client.post(reverse("set-year"), {"year": str(YEAR)})
            self.users[name], self.clients[name] = user, client
        plan = factories.plan(self.fed["43"], status=PlanStatus.PUBLISHED)
        point = factories.point(plan, "促进妇女就业创业", label="二")
        self.targets = [
            factories.target(point, self.indicators["PX02"], 10000),
            factories.target(point, self.indicators["DK01"], "500.50"),
        ]
        self.parent = dict(TREE)
        # activity pk → {"code", "status", "month" (of the actual start, or None), "figures": {code: value}}
        self.activities: dict[int, dict] = {}
        self.counter = 0

    def teardown(self):
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- the model ---------------------------------------------------------------------------------

    def path(self, code: str) -> list[str]:
        chain = [code]
        while self.parent[chain[-1]] is not None:
            chain.append(self.parent[chain[-1]])
        return chain[::-1]

    def subtree(self, code: str) -> set[str]:
        return {other for other in CODES if code in self.path(other)}

    def home(self, actor: str) -> str:
        return PERSONAS[actor][0] or "00"

    def inside(self, actor: str) -> set[int] | None:
        """The federations the actor may write to (None: a superuser, everything)."""
        code, _role = PERSONAS[actor]
        return None if code is None else {self.pk_of[c] for c in self.subtree(code)}

    def may_edit(self, actor: str, code: str) -> bool:
        own, role = PERSONAS[actor]
        return own is None or (role == Role.STAFF and own == code)

    def enterable(self, code: str) -> set[str]:
        """Indicator codes the activity form of this federation offers."""
        above = set(self.path(code))
        return {ind for ind, (_n, _u, owner, _p) in INDICATORS.items() if owner in above}

    def title(self, what: str) -> str:
        self.counter += 1
        return f"{what}{self.counter}"

    def expected_totals(self) -> dict:
        expected: dict[tuple, Decimal] = defaultdict(Decimal)
        for activity in self.activities.values():
            if activity["status"] != ActivityStatus.DONE:
                continue
            for ancestor in self.path(activity["code"]):
                for indicator, value in activity["figures"].items():
                    expected[(ancestor, activity["month"], indicator)] += value
        return {key: value for key, value in expected.items() if value}

    # --- how a step is checked ---------------------------------------------------------------------

    def act(self, actor: str, step, *, allowed: bool):
        """Run ``step``; a refused step changes nothing, an allowed one nothing outside the actor's
        subtree. Returns what the step returned."""
        before_all = everything() if not allowed else None
        inside = self.inside(actor)
        before_outside = rows_of(inside) if inside is not None else None
        result = step()
        if not allowed:
            assert everything() == before_all, f"{actor}'s refused step changed something"
        elif before_outside is not None:
            assert rows_of(inside) == before_outside, f"{actor} changed rows outside their subtree"
        return result

    def pick_activity(self, pick: int) -> int:
        pks = sorted(self.activities)
        return pks[pick % len(pks)]

    def editor(self, actor: str, pk: int, owner: bool) -> str:
        """``actor``, or (when ``owner``) a persona who may edit the activity, so that edits happen."""
        if owner:
            allowed = [name for name in ACTORS if self.may_edit(name, self.activities[pk]["code"])]
            return allowed[0] if len(allowed) == 1 else allowed[len(actor) % len(allowed)]
        return actor

    def edit_page(self, actor: str, pk: int):
        """The edit page's form as the actor opens it, or None when it is a 404 for them."""
        response = self.clients[actor].get(reverse("activities:edit", args=[pk]))
        if response.status_code == 404:
            return None
        assert response.status_code == 200
        return response.context["form"]

    # --- rules: activities through the pages -------------------------------------------------------

    @rule(
        actor=st.sampled_from(ACTORS),
        type_index=st.integers(0, 9),
        status=st.sampled_from(ActivityStatus.values),
        month=st.integers(1, 12),
        day=st.integers(1, 28),
        figures=FIGURE_EDITS,
    )
    def create_on_the_form(self, actor, type_index, status, month, day, figures):
        code = self.home(actor)
        title = self.title("表单活动")
        data = {"type": self.types[type_index % len(self.types)], "title": title, "status": status}
        if status == ActivityStatus.DONE:
            data["actual_start"] = f"{YEAR}-{month:02d}-{day:02d}T09:30"
        else:
            data["planned_month"] = str(month)
        offered = self.enterable(code)
        for indicator, value in figures.items():
            data[f"fig_{indicator}"] = "" if value is None else value
        valid = all(
            value is None or is_valid(value, INDICATORS[indicator][3])
            for indicator, value in figures.items()
            if indicator in offered
        )
        allowed = self.may_edit(actor, code)
        response = self.act(
            actor,
            lambda: self.clients[actor].post(reverse("activities:create"), data),
            allowed=allowed and valid,
        )
        if not allowed:
            assert response.status_code == 404
            return
        assert response.status_code == (302 if valid else 200), response.status_code
        if valid:
            activity = Activity.objects.get(title=title)
            assert activity.federation.code == code
            self.activities[activity.pk] = {
                "code": code,
                "status": status,
                "month": month if status == ActivityStatus.DONE else None,
                "figures": {
                    indicator: Decimal(value)
                    for indicator, value in figures.items()
                    if indicator in offered and value is not None
                },
            }

    @precondition(lambda self: self.activities)
    @rule(
        actor=st.sampled_from(ACTORS),
        pick=st.integers(0, 1000),
        status=st.one_of(st.none(), st.sampled_from(ActivityStatus.values)),
        month=st.one_of(st.none(), st.integers(1, 12)),
        figures=FIGURE_EDITS,
        owner=st.booleans(),
    )
    def edit_on_the_form(self, actor, pick, status, month, figures, owner=False):
        """Open the edit page, change the figures (and maybe the status or month), save."""
        pk = self.pick_activity(pick)
        actor = self.editor(actor, pk, owner)
        model = self.activities[pk]
        allowed = self.may_edit(actor, model["code"])
        url = reverse("activities:edit", args=[pk])
        if not allowed:
            data = {"title": "越权修改", "status": ActivityStatus.CANCELLED, "seen_version": "1"}
            response = self.act(actor, lambda: self.clients[actor].post(url, data), allowed=False)
            assert response.status_code == 404
            assert self.edit_page(actor, pk) is None
            return
        form = self.edit_page(actor, pk)
        assert form is not None, f"{actor} cannot open the edit page of their own activity"
        data = posted(form)
        assert data["seen_version"] == str(Activity.objects.get(pk=pk).version)
        offered = {indicator.code for indicator in form.indicators}
        assert offered == self.enterable(model["code"])
        if status is not None:
            data["status"] = status
        if month is not None:
            data["actual_start"], data["actual_end"] = f"{YEAR}-{month:02d}-15T10:00", ""
        for indicator, value in figures.items():
            if indicator in offered:
                data[f"fig_{indicator}"] = "" if value is None else value
        new_status = data["status"]
        new_month = month if month is not None else model["month"]
        valid = all(
            data[f"fig_{indicator}"] == "" or is_valid(data[f"fig_{indicator}"], INDICATORS[indicator][3])
            for indicator in offered
        ) and (new_status != ActivityStatus.DONE or bool(data["actual_start"]))
        response = self.act(actor, lambda: self.clients[actor].post(url, data), allowed=valid)
        assert response.status_code == (302 if valid else 200), (response.status_code, data)
        if valid:
            figures_now = {key: value for key, value in model["figures"].items() if key not in offered}
            figures_now.update(
                {
                    indicator: Decimal(data[f"fig_{indicator}"])
                    for indicator in offered
                    if data[f"fig_{indicator}"] != ""
                }
            )
            model.update(status=new_status, month=new_month, figures=figures_now)

    @precondition(lambda self: self.activities)
    @rule(actor=st.sampled_from(ACTORS), pick=st.integers(0, 1000), owner=st.booleans())
    def cancel_on_the_form(self, actor, pick, owner):
        pk = self.pick_activity(pick)
        actor = self.editor(actor, pk, owner)
        model = self.activities[pk]
        if not self.may_edit(actor, model["code"]):
            self.edit_on_the_form(actor, pick, ActivityStatus.CANCELLED, None, {})
            return
        form = self.edit_page(actor, pk)
        data = {**posted(form), "status": ActivityStatus.CANCELLED}
        url = reverse("activities:edit", args=[pk])
        response = self.act(actor, lambda: self.clients[actor].post(url, data), allowed=True)
        assert response.status_code == 302
        assert Activity.objects.get(pk=pk).status == ActivityStatus.CANCELLED
        model["status"] = ActivityStatus.CANCELLED

    @precondition(lambda self: self.activities)
    @rule(actor=st.sampled_from(ACTORS), pick=st.integers(0, 1000), owner=st.booleans())
    def delete_on_the_page(self, actor, pick, owner):
        pk = self.pick_activity(pick)
        actor = self.editor(actor, pk, owner)
        allowed = self.may_edit(actor, self.activities[pk]["code"])
        url = reverse("activities:delete", args=[pk])
        assert self.clients[actor].get(url).status_code == (200 if allowed else 404)
        response = self.act(actor, lambda: self.clients[actor].post(url), allowed=allowed)
        assert response.status_code == (302 if allowed else 404)
        if allowed:
            assert not Activity.objects.filter(pk=pk).exists()
            del self.activities[pk]

    def outsiders_targets(self) -> list[int]:
        """Hunan's activities that Shandong's staff do not reach (a superuser may have moved 历下区)."""
        hunan, own = self.subtree("43"), self.subtree("370102")
        return sorted(pk for pk, a in self.activities.items() if a["code"] in hunan and a["code"] not in own)

    @precondition(lambda self: self.outsiders_targets())
    @rule(pick=st.integers(0, 1000))
    def outsider_pokes_a_hunan_activity(self, pick):
        """Shandong's staff put a Hunan activity's id in the edit and delete URLs: 404, no change."""
        hunan = self.outsiders_targets()
        pk = hunan[pick % len(hunan)]
        client = self.clients["lixia_staff"]
        edit, delete = reverse("activities:edit", args=[pk]), reverse("activities:delete", args=[pk])
        data = {"title": "越权", "status": ActivityStatus.CANCELLED, "seen_version": "1"}
        assert self.act("lixia_staff", lambda: client.post(edit, data), allowed=False).status_code == 404
        assert self.act("lixia_staff", lambda: client.post(delete), allowed=False).status_code == 404
        assert client.get(reverse("activities:detail", args=[pk])).status_code == 404

    @precondition(lambda self: self.activities)
    @rule(actor=st.sampled_from(ACTORS), pick=st.integers(0, 1000), delete=st.booleans())
    def admin_writes_an_activity(self, actor, pick, delete):
        """Activities are read-only in the admin: a change or delete POST is refused, whoever sends it."""
        pk = self.pick_activity(pick)
        if delete:
            url, data = reverse("admin:activities_activity_delete", args=[pk]), {"post": "yes"}
        else:
            url = reverse("admin:activities_activity_change", args=[pk])
            data = {"title": "管理后台修改", "status": ActivityStatus.CANCELLED}
        response = self.act(actor, lambda: self.clients[actor].post(url, data), allowed=False)
        if PERSONAS[actor][1] == Role.ADMIN or PERSONAS[actor][0] is None:
            assert response.status_code == 403
        else:  # not an admin user: the admin's login page
            assert response.status_code == 302 and reverse("admin:login") in response.url

    # --- rules: the import -------------------------------------------------------------------------

    @rule(
        actor=st.sampled_from(ACTORS),
        rows=st.lists(
            st.tuples(
                st.sampled_from(CODES),
                st.integers(1, 12),
                st.fixed_dictionaries({}, optional={code: st.integers(0, 300) for code in IMPORT_INDICATORS}),
            ),
            min_size=1,
            max_size=3,
        ),
        with_hunan_column=st.booleans(),
        through_pages=st.booleans(),
        in_reach=st.booleans(),
    )
    def import_a_workbook(self, actor, rows, with_hunan_column, through_pages, in_reach):
        own, role = PERSONAS[actor]
        # Staff import for their own federation (access.can_edit_records, as on the form).
        reach = sorted(CODES if own is None else [own])
        if in_reach:  # mostly rows the actor may import, so that imports happen
            rows = [(reach[CODES.index(code) % len(reach)], *rest) for code, *rest in rows]
        columns = [code for code in IMPORT_INDICATORS if code != "HN01" or with_hunan_column]
        headers = [*FIXED_COLUMNS, *map(header, columns)]
        titles, sheet_rows = [], []
        for code, month, figures in rows:
            titles.append(self.title("导入活动"))
            start = datetime(YEAR, month, 10)
            fixed = [code, titles[-1], "培训", start, None, "", ""]
            sheet_rows.append(fixed + [figures.get(column) for column in columns])
        content = xlsx(headers, sheet_rows)

        may_import = own is None or role == Role.STAFF
        hunan = self.subtree("43")
        known_hunan = own in hunan or any(code in hunan and code in reach for code, _m, _f in rows)
        ok = (
            may_import
            and all(code in reach for code, _m, _f in rows)
            and (not with_hunan_column or known_hunan)
            and all(
                code in hunan or figures.get("HN01") is None
                for code, _m, figures in rows
                if with_hunan_column
            )
        )

        def through_service():
            user = User.objects.select_related("federation").get(pk=self.users[actor].pk)
            try:
                report = import_activities(file_bytes=content, user=user, year=YEAR, dry_run=False)
            except (PermissionDenied, ImportRowsError):
                return 0
            return report.imported

        def through_the_pages():
            client = self.clients[actor]
            upload = client.post(
                reverse("activities:import"), {"file": SimpleUploadedFile("活动.xlsx", content)}
            )
            if not may_import:
                assert upload.status_code == 404
                return 0
            assert upload.status_code == 200
            assert upload.context["report"].ok == ok
            if not ok:
                assert not upload.context.get("token")  # nothing to confirm
                return 0
            confirm = client.post(reverse("activities:import-confirm"), {"token": upload.context["token"]})
            assert confirm.status_code == 302
            return Activity.objects.filter(title__in=titles).count()

        imported = self.act(actor, through_the_pages if through_pages else through_service, allowed=ok)
        assert imported == (len(rows) if ok else 0)
        if ok:
            for title, (code, month, figures) in zip(titles, rows, strict=True):
                activity = Activity.objects.get(title=title)
                assert activity.federation.code == code
                self.activities[activity.pk] = {
                    "code": code,
                    "status": ActivityStatus.DONE,
                    "month": month,
                    "figures": {k: Decimal(v) for k, v in figures.items() if k in columns},
                }

    # --- rules: the tree and the plan --------------------------------------------------------------

    @rule(
        actor=st.sampled_from(["hunan_admin", "superuser"]),
        code=st.sampled_from(MOVABLE),
        parent=st.sampled_from(CODES),
        in_the_admin=st.booleans(),
    )
    def move_a_federation(self, actor, code, parent, in_the_admin):
        own = PERSONAS[actor][0]
        reach = set(CODES) if own is None else self.subtree(own)
        allowed = (
            code in reach
            and code != own
            and parent in reach
            and parent not in self.subtree(code)
            and parent != self.parent[code]
        )
        user = User.objects.select_related("federation").get(pk=self.users[actor].pk)

        def step():
            federation = Federation.objects.get(code=code)
            if in_the_admin:
                data = {
                    "code": code,
                    "name": federation.name,
                    "short_name": federation.short_name,
                    "level": federation.level,
                    "parent": self.pk_of[parent],
                }
                url = reverse("admin:fedwork_federation_change", args=[federation.pk])
                return self.clients[actor].post(url, data).status_code
            try:
                fedwork_services.federation_move(
                    federation=federation, parent=Federation.objects.get(code=parent), by=user
                )
            except ValidationError:
                return None
            return 302

        status = self.act(actor, step, allowed=allowed)
        if allowed:
            assert status == 302
            self.parent[code] = parent
        assert Federation.objects.get(code=code).parent.code == self.parent[code]

    @rule(
        actor=st.sampled_from(ACTORS),
        which=st.integers(0, 1),
        values=st.dictionaries(st.sampled_from(CODES), st.integers(0, 5000)),
    )
    def split_a_target(self, actor, which, values):
        """The province's staff split its target among its direct children on the split page."""
        target = self.targets[which]
        children = sorted(code for code in CODES if self.parent[code] == "43")
        data = {f"fed_{self.pk_of[c]}": str(values[c]) if c in values else "" for c in children}
        allowed = self.may_edit(actor, "43")
        url = reverse("plans:target-split", args=[target.pk])
        # With no child left (长沙市 moved away) the page posts nothing and shows the form again.
        writes = allowed and bool(children)
        response = self.act(actor, lambda: self.clients[actor].post(url, data), allowed=writes)
        assert response.status_code == (404 if not allowed else 302 if writes else 200)
        if writes:
            split = dict(
                Target.objects.filter(parent_target=target).values_list("plan__federation__code", "value")
            )
            for child in children:
                assert split.get(child) == (Decimal(values[child]) if child in values else None)

    # --- what holds after every step ---------------------------------------------------------------

    @invariant()
    def the_rollup_matches_the_raw_figures(self):
        assert totals.differences() == []

    @invariant()
    def the_coverage_counts_match_the_totals(self):
        # activities.Reach, kept by every door (moves included), against the stored totals.
        assert totals.reach_differences() == []

    @invariant()
    def the_activity_counts_match_the_activities(self):
        # activities.ActivityCount (the summary's and the calendar's counts), kept by every door.
        assert totals.count_differences() == []

    @invariant()
    def the_rollup_matches_the_model(self):
        code_of = {pk: code for code, pk in self.pk_of.items()}
        indicator_code = {indicator.pk: code for code, indicator in self.indicators.items()}
        stored = {
            (code_of[f], m, indicator_code[i]): v
            for f, y, m, i, v in FigureTotal.objects.exclude(value=0).values_list(*TOTAL_COLUMNS)
            if y == YEAR
        }
        assert stored == self.expected_totals()

    @invariant()
    def the_tree_matches_the_model(self):
        for code, parent_code, path, depth in Federation.objects.values_list(
            "code", "parent__code", "path", "depth"
        ):
            assert parent_code == self.parent[code]
            assert path == "".join(f"{c}/" for c in self.path(code))
            assert depth == len(self.path(code)) - 1


def test_random_writes_keep_the_rollup_and_the_reach(db, settings_override):
    run_state_machine_as_test(
        Fedwork,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )


@pytest.fixture
def settings_override(settings, tmp_path):
    settings.BASE_DIR = tmp_path  # the import pages keep the uploaded file under BASE_DIR/var/imports
    return settings


def test_a_move_checks_the_mover(tree, people):
    """Found by the machine: a province admin could pull another province's county into their own
    subtree through the service (the admin page never offered it). federation_move now checks the
    mover's reach over the federation as well as over the new parent."""
    with pytest.raises(ValidationError):
        fedwork_services.federation_move(
            federation=tree["lixia"], parent=tree["changsha"], by=people["hunan_admin"]
        )
    assert Federation.objects.get(code="370102").path == "00/37/3701/370102/"
