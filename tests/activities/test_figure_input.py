"""A figure box takes what a phone user types and says plainly what is wrong: text the browser would
have dropped (12e) is an error, not a figure silently lost; full-width digits and separators are read;
an implausible figure (99,999,999,999人) is saved only once the user ticks 确认无误."""

import re
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse

from activities.models import Activity, Figure
from tests.activities.test_activities import form_data


def text_of(response) -> str:
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", response.content.decode())
    return re.sub(r"\s+", " ", re.sub(r"(?s)<[^>]+>", " ", html))


@pytest.fixture
def furong(people, login):
    client = login(people["furong_staff"])
    client.post(reverse("set-year"), {"year": "2013"})
    return client


@pytest.mark.parametrize("typed", ["12e", "1e3", "十二", "12人"])
def test_text_in_a_figure_box_is_an_error_and_saves_nothing(furong, training, activity_indicators, typed):
    response = furong.post(reverse("activities:create"), form_data(training, fig_PX02=typed))
    assert response.status_code == 200
    text = text_of(response)
    assert "请填写数字，如 120 或 12.5" in text
    assert f'name="fig_PX02" value="{typed}"' in response.content.decode()  # what they typed stays
    assert not Activity.objects.exists() and not Figure.objects.exists()


@pytest.mark.parametrize(("typed", "stored"), [("１２００", 1200), ("1,200", 1200), (" 1 200 ", 1200)])
def test_full_width_digits_and_separators_are_read(furong, training, activity_indicators, typed, stored):
    response = furong.post(reverse("activities:create"), form_data(training, fig_PX02=typed))
    assert response.status_code == 302
    assert Figure.objects.get().value == Decimal(stored)


def test_too_many_decimals_reads_as_people_write_it(furong, training, activity_indicators):
    response = furong.post(reverse("activities:create"), form_data(training, fig_DK01="1.234"))
    assert "最多保留2位小数。" in text_of(response)
    assert "确认小数" not in text_of(response)
    assert not Activity.objects.exists()


def test_an_implausible_figure_asks_for_confirmation(furong, training, activity_indicators):
    data = form_data(training, fig_PX02="99999999999")
    response = furong.post(reverse("activities:create"), data)
    text = text_of(response)
    assert "“培训妇女人数”为99,999,999,999人，数值异常大，请核对" in text
    assert "确认无误：以上数值已核对" in text
    assert 'name="figures_confirmed"' in response.content.decode()
    assert not Activity.objects.exists()

    response = furong.post(reverse("activities:create"), {**data, "figures_confirmed": "on"})
    assert response.status_code == 302
    assert Figure.objects.get().value == Decimal("99999999999")


def test_a_plausible_figure_needs_no_confirmation(furong, training, activity_indicators):
    response = furong.post(reverse("activities:create"), form_data(training, fig_PX02="9999999"))
    assert response.status_code == 302
    response = furong.get(reverse("activities:create"))
    assert 'name="figures_confirmed"' not in response.content.decode()


def test_a_field_shows_one_error():
    class TwoErrors(forms.Form):
        amount = forms.CharField()

        def clean(self):
            self.add_error("amount", "第一个错误")
            self.add_error("amount", "第二个错误")

    form = TwoErrors({"amount": "x"})
    assert not form.is_valid()
    html = Template("{% load fedwork_tags %}{% field_row form.amount %}").render(Context({"form": form}))
    assert "第一个错误" in html and "第二个错误" not in html


def test_selects_say_please_choose(furong, training):
    html = furong.get(reverse("activities:create")).content.decode()
    for name in ("type", "work_point", "planned_month"):
        select = re.search(rf'<select name="{name}"[^>]*>\s*<option value=""[^>]*>([^<]*)</option>', html)
        assert select.group(1).startswith("请选择"), name  # the optional work point: 请选择（可不选）
    assert "---------" not in html


def _input_tags(html: str) -> dict[str, str]:
    return {m.group(1): m.group(0) for m in re.finditer(r'<input type="text" name="(fig_\w+)"[^>]*>', html)}


@pytest.mark.parametrize("typed", ["12e", "１２００", "99999999999", ""])
def test_figure_boxes_are_the_widgets_markup(furong, training, activity_indicators, typed):
    """The page writes the figure boxes in one loop (ActivityForm.figure_boxes); each must be what
    Django's widget gives through ``field|bootstrap``: the value typed, is-invalid and the aria
    attributes of a box with an error, its one error shown."""
    response = furong.post(
        reverse("activities:create"), form_data(training, fig_PX02=typed, fig_DK01="1.234")
    )
    assert response.status_code == 200
    form = response.context["form"]
    shown = _input_tags(response.content.decode())
    widget = Template("{% load fedwork_tags %}{{ field|bootstrap }}")
    expected = {
        box.name: widget.render(Context({"field": form[box.name]})).strip() for box in form.figure_boxes()
    }
    assert shown == expected
    assert 'aria-invalid="true"' in shown["fig_DK01"] and "is-invalid" in shown["fig_DK01"]
    assert 'value="1.234"' in shown["fig_DK01"]


def test_figure_boxes_of_an_edit_show_the_stored_figures(furong, training, activity_indicators):
    furong.post(reverse("activities:create"), form_data(training, fig_PX02="1200", fig_DK01="2.5"))
    activity = Activity.objects.get()
    response = furong.get(reverse("activities:edit", args=[activity.pk]))
    form = response.context["form"]
    shown = _input_tags(response.content.decode())
    widget = Template("{% load fedwork_tags %}{{ field|bootstrap }}")
    assert shown == {
        box.name: widget.render(Context({"field": form[box.name]})).strip() for box in form.figure_boxes()
    }
    assert 'value="1200"' in shown["fig_PX02"] and "fig_DK01" in shown
