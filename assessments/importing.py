"""A scheme from an Excel sheet: one line per item, columns 考核项目, 考核内容, 分值, 计分方式.

The workbook is untrusted and read with the activity import's checks (activities.importing.read_sheet:
size, zip bombs, DTDs, cell and row caps, uncomputed formulas, hidden sheets). All or nothing: one bad
row rejects the whole file, every problem listed with its row, column and reason (RowError). A blank
考核项目 cell continues the area above (a merged cell reads blank below its first row, as offices lay
the table out).
"""

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from activities.importing import MAX_FILE_BYTES, ImportFileError, RowError, UncomputedFormula, read_sheet

from .models import Rule
from .services import AreaDraft, ItemDraft

COL_AREA = "考核项目"
COL_ITEM = "考核内容"
COL_POINTS = "分值"
COL_RULE = "计分方式"
COLUMNS = [COL_AREA, COL_ITEM, COL_POINTS, COL_RULE]
MAX_ITEMS = 500

# What offices write in the rule column (a blank cell: 评审打分).
RULE_WORDS = {
    "按目标完成": Rule.FROM_TARGETS,
    "目标": Rule.FROM_TARGETS,
    "目标完成": Rule.FROM_TARGETS,
    "评审打分": Rule.JUDGED,
    "评审": Rule.JUDGED,
    "评分": Rule.JUDGED,
    "加分": Rule.BONUS,
    "创新加分": Rule.BONUS,
    "扣分": Rule.DEDUCTION,
}

__all__ = ["MAX_FILE_BYTES", "ImportFileError", "SchemeRowsError", "read_scheme"]


class SchemeRowsError(Exception):
    """Rows that cannot be imported; ``errors`` lists every one (nothing is saved)."""

    def __init__(self, errors: list[RowError]):
        super().__init__(errors)
        self.errors = errors


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def read_scheme(file_bytes: bytes) -> list[AreaDraft]:
    """The areas and items of a scheme sheet, in the sheet's order.

    Raises ImportFileError for a file that is not a readable workbook or lacks a column, and
    SchemeRowsError listing every bad row (a missing item name, points that are not a number > 0,
    an unknown rule, a formula without a value)."""
    sheet = read_sheet(file_bytes)
    headers = [header.strip() for header in sheet.headers]
    missing = [column for column in COLUMNS if column not in headers]
    if missing:
        raise ImportFileError(
            _("缺少列：%(columns)s（第1行应为：%(expected)s）。")
            % {"columns": "、".join(missing), "expected": "、".join(COLUMNS)}
        )
    if len(sheet.rows) > MAX_ITEMS:
        raise ImportFileError(_("考核内容过多（不超过 %(count)d 项）。") % {"count": MAX_ITEMS})
    at = {column: headers.index(column) for column in COLUMNS}
    errors: list[RowError] = []
    areas: list[AreaDraft] = []
    current = ""
    for number, values in zip(sheet.numbers, sheet.rows, strict=True):
        for column in COLUMNS:
            if isinstance(values[at[column]], UncomputedFormula):
                errors.append(RowError(number, column, _("公式没有计算结果，请直接填写数值")))
        area = _text(values[at[COL_AREA]]) or current
        name = _text(values[at[COL_ITEM]])
        if not area:
            errors.append(RowError(number, COL_AREA, _("不能为空")))
        elif len(area) > 200:
            errors.append(RowError(number, COL_AREA, _("不能超过200个字")))
        if not name:
            errors.append(RowError(number, COL_ITEM, _("不能为空")))
        elif len(name) > 300:
            errors.append(RowError(number, COL_ITEM, _("不能超过300个字")))
        raw_points = values[at[COL_POINTS]]
        try:
            points = Decimal(_text(raw_points).removesuffix("分"))
            if not points.is_finite() or points <= 0 or points >= 100000:
                raise InvalidOperation
        except InvalidOperation:
            errors.append(RowError(number, COL_POINTS, _("应为大于 0 的数字，如 10 或 2.5")))
            points = None
        rule_text = _text(values[at[COL_RULE]])
        rule = RULE_WORDS.get(rule_text, Rule.JUDGED if not rule_text else None)
        if rule is None:
            errors.append(
                RowError(
                    number,
                    COL_RULE,
                    _("应为“按目标完成”“评审打分”“加分”或“扣分”，不是“%(text)s”") % {"text": rule_text[:50]},
                )
            )
        if area and area != current:
            areas.append(AreaDraft(area))
            current = area
        if points is not None and rule is not None and name and areas:
            areas[-1].items.append(ItemDraft(name, points.quantize(Decimal("0.1")), rule))
    if errors:
        raise SchemeRowsError(errors)
    return areas


DOCUMENT_TOTAL = Decimal(100)
AREA_WITHOUT_TARGETS = "主要内容落实情况"


def _area_points(parsed) -> list:
    """The points that are the scheme's areas: the children of the point whose children state the
    most targets (the Lixia standards: （一）组织建设 … （六）两规实施 under 二、主要内容和目标任务), else the
    top-level points that state targets."""
    best, best_count = None, 0

    def walk(points):
        nonlocal best, best_count
        for point in points:
            count = sum(len(child.targets) for child in point.children)
            if count > best_count:
                best, best_count = point, count
            walk(point.children)

    walk(parsed.points)
    if best is not None:
        return [child for child in best.children if child.kind != "speech"]
    return [point for point in parsed.points if point.targets]


def read_scheme_document(data: bytes, filename: str) -> list[AreaDraft]:
    """Areas and items from a standards document (.txt, .docx or .pdf) through the plan parser
    (plans.parsing.parse_document, with its size and time caps): one area per point that sets out
    主要内容 and 目标任务, one judged item per target it states (its words as the item), an area
    without targets getting one item (主要内容落实情况). The 100 points are shared equally among the
    areas and, within an area, among its items (plans.services.apportion, one decimal): a draft for
    the office to weigh in the editor. Raises ImportFileError with the parser's Chinese message, or
    when the document states no areas."""
    from plans.parsing import DocumentError, parse_document
    from plans.services import apportion

    try:
        parsed = parse_document(data, filename)
    except DocumentError as error:
        raise ImportFileError(str(error)) from error
    points = _area_points(parsed)
    if not points:
        raise ImportFileError(_("文件中没有找到考核项目（带目标任务的工作要点）。"))
    area_points = apportion(DOCUMENT_TOTAL, {n: Decimal(1) for n in range(len(points))}, 1)
    areas = []
    for number, point in enumerate(points):
        names = [target.text[:300] for target in point.targets] or [AREA_WITHOUT_TARGETS]
        shares = apportion(area_points[number], {n: Decimal(1) for n in range(len(names))}, 1)
        areas.append(
            AreaDraft(
                point.title[:200] or point.label,
                [ItemDraft(name, shares[n], Rule.JUDGED) for n, name in enumerate(names) if shares[n] > 0],
            )
        )
    return areas
