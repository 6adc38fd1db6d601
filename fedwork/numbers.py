"""How a number reads on a page: the one set of rules every template filter and tag uses.

- A figure (人, 场, 万元 …) is written with thousand separators and without trailing zeros:
  1,000,000 · 1,198 · 37.34 (never 1000000.00, never 3E+2); at most two decimals, rounded half up
  as the offices round (GB/T 8170 "四舍五入").
- A percentage has one decimal and its sign: 37.5%, 100.0%. A rate that cannot be computed (no
  target, no children) is "—", without "%".
- A figure carries its unit right after it (1,000人, 12.5万元); a missing figure is "—", without unit.

Exports write numbers into cells as numbers (Excel formats them); these rules are for text.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

MISSING = "—"
_CENT = Decimal("0.01")
_TENTH = Decimal("0.1")


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def grouped(value, places: int = 2) -> str:
    """``value`` (Decimal, int, float or numeric text) with thousand separators, at most ``places``
    decimals (rounded half up), trailing zeros dropped: 1000000 → "1,000,000", 37.340 → "37.34",
    -1234.5 → "-1,234.5". None, "" or text that is not a number → ""."""
    number = _decimal(value)
    if number is None or not number.is_finite():
        return ""
    number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{number:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def quantity(value, unit: str = "") -> str:
    """A figure with its unit: (1000000, "人") → "1,000,000人"; None → "—" (no unit)."""
    text = grouped(value)
    return f"{text}{unit or ''}" if text else MISSING


def percent(value) -> str:
    """A percentage (already × 100) with one decimal: 37.456 → "37.5%", 100 → "100.0%"; None → "—"."""
    number = _decimal(value)
    if number is None or not number.is_finite():
        return MISSING
    return f"{number.quantize(_TENTH, rounding=ROUND_HALF_UP):,f}%"


def change(value) -> str:
    """A year-on-year change (同比增减, already × 100) as ``percent`` writes it, signed: "+25.0%",
    "-12.5%", "0.0%"; "—" (no "%") when there is none (last year 0 or missing)."""
    number = _decimal(value)
    if number is None or not number.is_finite():
        return MISSING
    rounded = number.quantize(_TENTH, rounding=ROUND_HALF_UP)
    if rounded == 0:
        return "0.0%"
    return f"+{percent(rounded)}" if rounded > 0 else percent(rounded)
