"""Finding 9 and issue #13 on the way out: user text is written inert and never makes a download fail.

- A title or place starting with ``=`` was written as a live formula in the annual export (openpyxl
  makes any string starting with ``=`` a formula cell);
- a title holding a vertical tab (\\x0b), pasted from Word before entry was cleaned, made the county
  and the city export answer 500 (openpyxl's IllegalCharacterError), and the summary .docx too
  (python-docx refuses characters XML 1.0 cannot carry).

The dirty text is stored with raw SQL, which bypasses the clean-text fields, as rows written before
the fields existed.
"""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import docx
import openpyxl
import pytest
from django.db import connection
from django.urls import reverse

from activities import services
from activities.models import Activity, ActivityStatus, ActivityType
from fedwork.models import Federation
from plans.models import Indicator, PlanStatus, WorkPoint
from tests import factories

YEAR = 2013
FORMULA_TITLE = '=HYPERLINK("http://example.com/x","点此领奖")'
FORMULA_PLACE = "=1+2"
POINT_TITLE = '=HYPERLINK("http://example.com/y","要点")'


@pytest.fixture
def dirty(tree):
    nation = tree["nation"]
    trained = factories.indicator("PX02", "培训妇女人数", "人", nation)
    upper_plan = factories.plan(tree["changsha"], status=PlanStatus.PUBLISHED)
    upper_point = factories.point(upper_plan, POINT_TITLE, label="")
    upper = factories.target(upper_point, trained, 1000)
    plan = factories.plan(tree["furong"], status=PlanStatus.PUBLISHED)
    point = factories.point(plan, "贯彻落实市妇联工作要点", label="")
    factories.target(point, trained, 600, parent_target=upper)

    def record(title, place):
        activity = Activity(
            federation=tree["furong"],
            year=YEAR,
            type=ActivityType.objects.get(name="培训"),
            title=title,
            place=place,
            status=ActivityStatus.DONE,
            actual_start=datetime(YEAR, 5, 10, 9, tzinfo=ZoneInfo("Asia/Shanghai")),
        )
        return services.activity_save(activity=activity, figures={trained: Decimal(10)}, by=None)

    formula = record(FORMULA_TITLE, FORMULA_PLACE)
    pasted = record("培训", "")
    store_raw(Activity, pasted.pk, title="从Word\x0b粘贴\x01的标题", place="#N/A")
    store_raw(Indicator, trained.pk, name="培训\x0b妇女人数")
    store_raw(WorkPoint, point.pk, title="贯彻\x0b落实市妇联工作要点\x1f")
    store_raw(Federation, tree["furong"].pk, name="芙蓉区\x0b妇女联合会", short_name="芙蓉区\x0b妇联")
    return {"formula": formula, "pasted": pasted}


def store_raw(model, pk: int, **values: str) -> None:
    """Write text past the clean-text fields (which clean save(), update() and bulk_update())."""
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(column)} = %s" for column in values)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {columns} WHERE id = %s", [*values.values(), pk]
        )


def export(client, code: str):
    response = client.get(reverse("reports:export", kwargs={"code": code}), {"year": YEAR})
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


def cells(sheet):
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def text_cell(book, sheet: str, value: str, count: int = 1):
    """The cells of the sheet that hold exactly this text; each must be a string cell."""
    found = [cell for cell in cells(book[sheet]) if cell.value == value]
    assert len(found) == count, (sheet, value, [c.value for c in cells(book[sheet])])
    assert {cell.data_type for cell in found} == {"s"}
    return found


@pytest.mark.parametrize(("persona", "code"), [("furong_staff", "430102"), ("changsha_leader", "4301")])
def test_the_county_and_city_exports_write_user_text_inert_and_clean(people, login, dirty, persona, code):
    book = export(login(people[persona]), code)
    text_cell(book, "活动明细", FORMULA_TITLE)
    text_cell(book, "活动明细", FORMULA_PLACE)
    text_cell(book, "活动明细", "从Word粘贴的标题")
    text_cell(book, "活动明细", "#N/A")
    text_cell(book, "活动明细", "芙蓉区妇联", count=2)
    if code == "4301":
        text_cell(book, "目标完成情况", POINT_TITLE)
        text_cell(book, "下级完成情况", "芙蓉区妇联")
    else:
        text_cell(book, "目标完成情况", "贯彻落实市妇联工作要点")
        assert book["目标完成情况"]["A1"].value == "芙蓉区妇女联合会2013年工作目标完成情况汇总表"
    text_cell(book, "目标完成情况", "培训妇女人数")
    for sheet in book.worksheets:
        assert not [cell.coordinate for cell in cells(sheet) if cell.data_type == "f"]
        assert not [cell.coordinate for cell in cells(sheet) if "\x0b" in str(cell.value)]


def test_the_summary_docx_of_dirty_text_is_written_clean(people, login, dirty):
    client = login(people["furong_staff"])
    url = reverse("reports:summary-docx", kwargs={"code": "430102"})
    response = client.get(url, {"year": YEAR, "as_of": "2013-12-31"})
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert "芙蓉区妇女联合会2013年工作总结（草稿）" in text
    assert "贯彻落实市妇联工作要点" in text
    assert "\x0b" not in text and "\x1f" not in text

    page = client.get(reverse("reports:summary", kwargs={"code": "430102"}), {"year": YEAR})
    assert page.status_code == 200
    assert "\x0b" not in page.context["summary"].as_text()
