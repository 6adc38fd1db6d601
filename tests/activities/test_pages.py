"""The activity form and the calendar: the same markup as Django's widget templates, in few queries."""

from datetime import date

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.test import SimpleTestCase
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from activities.models import Activity, ActivityType
from fedwork.templatetags.fedwork_tags import activity_chips, calendar_weeks, field_row
from fedwork.widgets import DIRECT_RENDERER
from plans.models import PlanStatus
from tests import factories

TEMPLATES = DjangoTemplates()  # Django's own renderer, to compare with


def both(bound_field, **attrs) -> tuple[str, str]:
    """A bound field as the direct renderer writes it, and as Django's templates do."""
    form = bound_field.form
    form.renderer = DIRECT_RENDERER
    direct = bound_field.as_widget(attrs=attrs or None)
    form.renderer = TEMPLATES
    templated = bound_field.as_widget(attrs=attrs or None)
    return direct, templated


class Everything(forms.Form):
    text = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": '"引号" & <尖括号>'}))
    number = forms.DecimalField(required=False, widget=forms.NumberInput(attrs={"step": "0.01", "min": 0}))
    hidden = forms.IntegerField(widget=forms.HiddenInput, required=False)
    when = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    flag = forms.BooleanField(required=False)
    off = forms.CharField(disabled=True, required=False, widget=forms.TextInput(attrs={"autofocus": False}))
    choice = forms.ChoiceField(
        choices=[
            ("", "—"),
            ("a", gettext_lazy("甲 & 乙")),
            (gettext_lazy("分组 <1>"), [("b", "<b>"), ("c", mark_safe("<i>c</i>"))]),
            ("d", date(2013, 5, 1)),
            (7, 7000),
        ]
    )
    many = forms.MultipleChoiceField(choices=[("x", "X"), ("y", "Y"), ("z", "Z")], required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    radio = forms.ChoiceField(choices=[("r", "R"), ("s", "S")], widget=forms.RadioSelect)
    ticks = forms.MultipleChoiceField(
        choices=[("t", "<T>"), (gettext_lazy("组"), [("u", "U"), ("v", mark_safe("<i>v</i>"))])],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    bare = forms.ChoiceField(choices=[("b", "B")], widget=forms.RadioSelect(attrs={"class": "x"}))


EVERYTHING_DATA = {
    "text": "<script>\"x\" & 'y'</script>",
    "number": "1.50",
    "hidden": "3",
    "when": "2013-05-10",
    "flag": "on",
    "off": "ignored",
    "choice": "c",
    "many": ["x", "z"],
    "body": "第一行\n<第二行> & more",
    "radio": "s",
    "ticks": ["t", "v"],
}


class DirectRendererTests(SimpleTestCase):
    def test_every_widget_is_written_as_django_writes_it(self):
        for form in [Everything(), Everything(EVERYTHING_DATA), Everything({"choice": "7", "when": "bad"})]:
            form.is_bound and form.is_valid()
            for bound_field in form:
                for attrs in [{}, {"class": "form-control is-invalid"}, {"required": False, "data-x": None}]:
                    direct, templated = both(bound_field, **attrs)
                    self.assertEqual(direct, templated, (bound_field.name, attrs))

    def test_the_markup_holds_the_values_escaped_and_the_selection(self):
        form = Everything(EVERYTHING_DATA)
        form.renderer = DIRECT_RENDERER
        self.assertIn("&lt;script&gt;&quot;x&quot; &amp; &#x27;y&#x27;&lt;/script&gt;", str(form["text"]))
        choice = str(form["choice"])
        self.assertInHTML('<option value="c" selected><i>c</i></option>', choice)
        self.assertIn('<optgroup label="分组 &lt;1&gt;">', choice)
        self.assertInHTML('<option value="b">&lt;b&gt;</option>', choice)
        self.assertInHTML('<option value="7">7000</option>', choice)
        many = str(form["many"])
        self.assertInHTML('<option value="x" selected>X</option>', many)
        self.assertInHTML('<option value="y">Y</option>', many)
        self.assertIn(" multiple", many)
        self.assertInHTML('<input type="checkbox" name="flag" id="id_flag" checked>', str(form["flag"]))


@pytest.fixture
def year_2013(people, login):
    client = login(people["furong_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    return client


@pytest.fixture
def planned(tree, activity_indicators):
    """Furong's own points and the city's published ones, with targets on sums and on a rate."""
    nation = tree["nation"]
    rate = factories.indicator(
        "PXL1",
        "培训覆盖率",
        "%",
        nation,
        kind="rate",
        numerator=activity_indicators["trained"],
        denominator=activity_indicators["sessions"],
    )
    own = factories.plan(tree["furong"])
    city = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    points = [factories.point(own, f"本级要点{n}", str(n)) for n in range(1, 6)]
    points += [factories.point(city, f"市级要点{n}", str(n)) for n in range(1, 6)]
    for point in points:
        factories.target(point, activity_indicators["loans"], "10", plan=point.plan)
        factories.target(point, rate, "80", plan=point.plan)
    factories.target(points[0], activity_indicators["sessions"], "3", plan=own)
    # A rate whose part is no figure of Furong's form: its code still goes to the page.
    odd = factories.indicator(
        "SDL1",
        "山东特色比率",
        "%",
        nation,
        kind="rate",
        numerator=activity_indicators["shandong_only"],
        denominator=activity_indicators["sessions"],
    )
    factories.target(points[2], odd, "50", plan=own)
    milestone = factories.indicator("HY01", "召开妇女代表大会", "项", nation, kind="milestone")
    factories.target(points[1], milestone, "1", plan=own)
    # Not on offer: the province's draft, a sibling county's plan, the city's plan of another year.
    factories.point(factories.plan(tree["hunan"]), "省级草稿要点")
    factories.point(factories.plan(tree["yuelu"], status=PlanStatus.PUBLISHED), "岳麓要点")
    factories.point(factories.plan(tree["changsha"], year=2014, status=PlanStatus.PUBLISHED), "明年要点")
    return points


def test_the_form_page_is_written_as_django_would(year_2013, tree, planned):
    activity = Activity.objects.create(
        federation=tree["furong"], year=2013, type=ActivityType.objects.get(name="培训"), title="培训班"
    )
    activity.work_points.set([planned[6]])
    forms_ = [
        year_2013.get(reverse("activities:create")).context["form"],
        year_2013.get(reverse("activities:edit", args=[activity.pk])).context["form"],
        year_2013.post(reverse("activities:create"), {"title": "<坏>", "fig_PX02": "-1"}).context["form"],
    ]
    for form in forms_:
        for bound_field in form:
            direct, templated = both(bound_field, **{"class": "form-control"})
            assert direct == templated, bound_field.name


def test_the_form_page_shows_each_figure_and_the_choices(year_2013, planned, activity_indicators):
    page = year_2013.get(reverse("activities:create"), {"type": ActivityType.objects.get(name="会议").pk})
    html = page.content.decode()
    # A text box with a numeric keyboard: a number input sends "" for text it cannot read (12e).
    for code, mode in [("PX01", "numeric"), ("PX02", "numeric"), ("DK01", "decimal")]:
        expected = (
            f'<input type="text" name="fig_{code}" inputmode="{mode}" autocomplete="off"'
            f' data-indicator="{code}" class="form-control" id="id_fig_{code}">'
        )
        assert expected in html
        assert f'<div class="col-6 col-md-4 figure-field" data-indicator="{code}"><div class="mb-2">' in html
    meeting = ActivityType.objects.get(name="会议").pk
    assert f'<option value="{meeting}" selected>会议</option>' in html
    assert '<option value="done" selected>已完成</option>' in html
    assert f'<optgroup label="芙蓉区妇联 · {planned[0].plan.title}">' in html
    assert f'<option value="{planned[0].pk}">1．本级要点1</option>' in html
    assert f'<option value="{planned[5].pk}">1．市级要点1</option>' in html
    # The figures a point's targets use, with a rate's parts, for the page's script.
    assert page.context["point_indicators"][str(planned[0].pk)] == ["DK01", "PX01", "PX02", "PXL1"]
    assert page.context["point_indicators"][str(planned[9].pk)] == ["DK01", "PX01", "PX02", "PXL1"]
    assert page.context["point_indicators"][str(planned[2].pk)] == [
        "DK01",
        "PX01",
        "PX02",
        "PXL1",
        "SD01",
        "SDL1",
    ]


def test_the_form_page_shows_a_bad_figure_and_the_chosen_point(year_2013, planned, activity_indicators):
    training = ActivityType.objects.get(name="培训")
    data = {
        "type": training.pk,
        "title": "培训班",
        "status": "done",
        "fig_PX02": "-3",
        "work_point": planned[2].pk,
    }
    html = year_2013.post(reverse("activities:create"), data).content.decode()
    assert (
        '<input type="text" name="fig_PX02" value="-3" inputmode="numeric" autocomplete="off"'
        ' data-indicator="PX02" class="form-control is-invalid" aria-invalid="true"'
        ' aria-describedby="id_fig_PX02_error" id="id_fig_PX02">'
    ) in html
    assert f'<option value="{planned[2].pk}" selected>3．本级要点3</option>' in html


def test_the_form_page_reads_the_plans_in_a_fixed_number_of_queries(
    year_2013, planned, django_assert_max_num_queries
):
    # Session, user, federation; milestones, indicators, activity types, the points with their
    # targets' codes, and (here) the code of a rate's part that is no figure of the form: the same
    # however many points, targets and indicators there are; the top bar's 待办 count and unread
    # notifications (submissions.todo) add their own few, also fixed; the county's subtree ids.
    with django_assert_max_num_queries(13):
        page = year_2013.get(reverse("activities:create"))
    assert page.status_code == 200  # a bounded number of queries for an error page would prove nothing


def test_the_calendar_reads_a_busy_month_in_a_fixed_number_of_queries(
    year_2013, tree, planned, django_assert_max_num_queries
):
    training = ActivityType.objects.get(name="培训")
    for day in range(1, 29):
        for federation in [tree["furong"], tree["changsha"]]:
            Activity.objects.create(
                federation=federation,
                year=2013,
                type=training,
                title=f"活动{day}",
                planned_start=date(2013, 5, day),
                is_main=True,
            )
    # Session, user, federation; own and upper activities, upper plans' items, and the filter's
    # types and points; the top bar's 待办 and notification counts: the same however many activities
    # the month holds; the county's subtree ids (Federation.objects.subtree_q).
    with django_assert_max_num_queries(13):
        page = year_2013.get(reverse("activities:calendar"), {"m": 5})
    assert page.status_code == 200
    assert page.content.decode().count("activity-chip status-planned") == 56 + 1  # and the legend's


def test_the_form_offers_the_own_plan_and_the_published_plans_above(year_2013, planned):
    form = year_2013.get(reverse("activities:create")).context["form"]
    offered = [
        (group.split(" · ")[0], label)
        for group, options in form.fields["work_point"].choices[1:]
        for _pk, label in options
    ]
    assert offered == [("芙蓉区妇联", f"{n}．本级要点{n}") for n in range(1, 6)] + [
        ("长沙市妇联", f"{n}．市级要点{n}") for n in range(1, 6)
    ]
    assert [str(target) for target in form.fields["achieves"].queryset] == ["召开妇女代表大会 不少于1项"]


# The markup the pages had as templates: the Python versions must write the same bytes.
FIELD_ROW_TEMPLATE = """{% load fedwork_tags %}<div class="mb-2">
  <label class="form-label small mb-0" for="{{ field.id_for_label }}">{{ field.label }}{% if field.field.required %} <span class="text-danger">*</span>{% endif %}</label>
  {{ field|bootstrap }}
  {% if field.help_text %}<div class="form-text">{{ field.help_text }}</div>{% endif %}
  {% for error in field.errors %}<div class="invalid-feedback d-block">{{ error }}</div>{% endfor %}
</div>
"""  # noqa: E501
CHIPS_TEMPLATE = """{% load i18n %}{% for activity in items %}
          <a class="d-block small text-truncate activity-chip status-{{ activity.status }}{% if activity.is_upper %} upper{% endif %}{% if activity.is_overdue %} overdue{% endif %}" href="{{ activity.get_absolute_url }}" title="{{ activity.title }}">{% if activity.is_upper %}[{% translate "上级" %}] {% endif %}{{ activity.title }}</a>
        {% endfor %}"""  # noqa: E501
WEEKS_TEMPLATE = """{% load i18n fedwork_tags %}{% for week in weeks %}
    <tr>
    {% for day, in_month, items in week %}
      <td class="{% if not in_month %}text-muted bg-light{% endif %}{% if day == today %} today{% endif %}"{% if day == today %} aria-current="date"{% endif %}>
        <div class="day-number">{{ day.day }}{% if day == today %} <span class="badge text-bg-danger">{% translate "今天" %}</span>{% endif %}</div>
        {% activity_chips items %}
      </td>
    {% endfor %}
    </tr>
  {% endfor %}"""  # noqa: E501


def test_field_rows_are_written_as_the_template_wrote_them(year_2013, planned):
    bad = {"title": '<"坏">', "fig_PX02": "-1", "planned_month": "13", "work_point": planned[0].pk}
    row = Template(FIELD_ROW_TEMPLATE)
    for form in [
        year_2013.get(reverse("activities:create")).context["form"],
        year_2013.post(reverse("activities:create"), bad).context["form"],
    ]:
        for bound_field in form:
            assert field_row(bound_field) == row.render(Context({"field": bound_field})), bound_field.name


@pytest.fixture
def busy_may(tree):
    """Furong's May: done, planned, overdue, cancelled, month-only, an odd title; the city's main ones."""
    training = ActivityType.objects.get(name="培训")

    def make(federation, title, **fields):
        return Activity.objects.create(federation=federation, year=2013, type=training, title=title, **fields)

    make(tree["furong"], "已办", planned_start=date(2013, 5, 2), status="done")
    make(tree["furong"], "逾期未办", planned_start=date(2013, 5, 2), planned_end=date(2013, 5, 3))
    make(tree["furong"], "取消了", planned_start=date(2013, 5, 2), status="cancelled")
    make(tree["furong"], '<b>"标题" & 更多</b>', planned_start=date(2013, 5, 9))
    make(tree["furong"], "只定月份", planned_month=5)
    make(tree["changsha"], "全市主要活动", planned_start=date(2013, 5, 2), is_main=True)
    make(tree["changsha"], "全市月内活动", planned_month=5, is_main=True)
    make(tree["changsha"], "市级内部活动", planned_start=date(2013, 5, 2))
    # A row saved before the last day was stored: the overdue rule works it out.
    legacy = make(tree["furong"], "旧数据", planned_start=date(2013, 5, 20))
    Activity.objects.filter(pk=legacy.pk).update(planned_last_day=None)


def test_calendar_chips_are_written_as_the_template_wrote_them(year_2013, busy_may):
    page = year_2013.get(reverse("activities:calendar"), {"m": 5})
    chips = Template(CHIPS_TEMPLATE)
    cells = [items for week in page.context["weeks"] for _day, _in_month, items in week if items]
    assert sum(len(items) for items in cells) == 6
    for items in cells:
        assert activity_chips(Context(), items) == chips.render(Context({"items": items}))
        for item in items:
            model = Activity.objects.get(pk=item.pk)
            assert (item.is_overdue, item.get_absolute_url()) == (model.is_overdue, model.get_absolute_url())
    html = page.content.decode()
    overdue = Activity.objects.get(title="逾期未办").get_absolute_url()
    assert (
        f'<a class="d-block small text-truncate activity-chip status-planned overdue" href="{overdue}"'
        ' title="逾期未办">逾期未办</a>'
    ) in html
    upper = Activity.objects.get(title="全市主要活动").get_absolute_url()
    assert (
        f'<a class="d-block small text-truncate activity-chip status-planned upper overdue" href="{upper}"'
        ' title="全市主要活动">[上级] 全市主要活动</a>'
    ) in html
    assert 'title="&lt;b&gt;&quot;标题&quot; &amp; 更多&lt;/b&gt;">&lt;b&gt;&quot;标题&quot;' in html
    assert "市级内部活动" not in html
    assert [a.title for a in page.context["month_only"]] == ["只定月份", "全市月内活动"]
    assert '全市月内活动</a> <span class="badge text-bg-info">上级活动</span>' in html
    legacy = Activity.objects.get(title="旧数据")
    assert f'overdue" href="{legacy.get_absolute_url()}"' in html


def test_the_calendar_grid_is_written_as_the_template_wrote_it(year_2013, busy_may):
    page = year_2013.get(reverse("activities:calendar"), {"m": 5})
    weeks = page.context["weeks"]
    for today in [date(2013, 5, 2), date(2013, 4, 29), date(2013, 7, 1)]:  # in the month, before it, neither
        expected = Template(WEEKS_TEMPLATE).render(Context({"weeks": weeks, "today": today}))
        assert calendar_weeks(Context(), weeks, today) == expected
    assert calendar_weeks(Context(), weeks, date(2013, 5, 2)).count('aria-current="date"') == 1
