"""Word's automatic numbering: the labels the reader sees (一、 （一） 1． …) live in numbering.xml, not
in the paragraph's text. ``Numbering`` renders them, paragraph by paragraph, as Word shows them.

Each numbered paragraph names a list (``w:numId``) and a level (``w:ilvl``), in its own properties or
through its paragraph style. A list points to an abstract definition whose levels give a start value,
a format (decimal, chineseCounting, decimalEnclosedCircle …) and a text such as ``（%2）`` where ``%2``
is the current number of level 2 in level 2's format.
"""

from __future__ import annotations

from xml.etree import ElementTree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
CN_DIGITS = "〇一二三四五六七八九"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
PARENTHESISED = "⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽⑾⑿⒀⒁⒂⒃⒄⒅⒆⒇"
TRADITIONAL = "甲乙丙丁戊己庚辛壬癸"
ZODIAC = "子丑寅卯辰巳午未申酉戌亥"
ROMAN = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"))
ROMAN += ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
MAX_LEVELS = 9


def chinese_counting(number: int) -> str:
    """一, 十, 十一, 二十, 一百零五 … as Word's chineseCounting writes them (up to 9999)."""
    if number <= 0 or number > 9999:
        return str(number)
    if number < 10:
        return CN_DIGITS[number]
    if number < 20:
        return "十" + (CN_DIGITS[number % 10] if number % 10 else "")
    parts = []
    for value, name in ((1000, "千"), (100, "百"), (10, "十")):
        digit, number = divmod(number, value)
        if digit:
            parts.append(CN_DIGITS[digit] + name)
        elif parts and number and parts[-1] != "零":
            parts.append("零")
    if number:
        parts.append(CN_DIGITS[number])
    return "".join(parts)


def format_number(number: int, kind: str) -> str:
    if kind in ("none", "bullet"):
        return ""
    if kind.startswith("chinese") or kind in (
        "japaneseCounting",
        "taiwaneseCounting",
        "taiwaneseCountingThousand",
        "koreanCounting",
    ):
        return chinese_counting(number)
    if kind in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join(CN_DIGITS[int(digit)] for digit in str(number))
    if kind.startswith("decimalEnclosedCircle") and 1 <= number <= len(CIRCLED):
        return CIRCLED[number - 1]
    if kind == "decimalEnclosedParen" and 1 <= number <= len(PARENTHESISED):
        return PARENTHESISED[number - 1]
    if kind == "ideographTraditional" and 1 <= number <= len(TRADITIONAL):
        return TRADITIONAL[number - 1]
    if kind == "ideographZodiac" and 1 <= number <= len(ZODIAC):
        return ZODIAC[number - 1]
    if kind in ("upperLetter", "lowerLetter") and 1 <= number <= 780:  # AAAA… beyond that is no label
        letter = chr(ord("A") + (number - 1) % 26) * ((number - 1) // 26 + 1)
        return letter if kind == "upperLetter" else letter.lower()
    if kind in ("upperRoman", "lowerRoman") and 1 <= number < 4000:
        roman = ""
        for value, letters in ROMAN:
            count, number = divmod(number, value)
            roman += letters * count
        return roman if kind == "upperRoman" else roman.lower()
    if kind == "decimalZero":
        return f"{number:02d}"
    if kind.startswith("decimalFullWidth"):
        return str(number).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    return str(number)


def _value(element: ElementTree.Element | None, default: str | None = None) -> str | None:
    if element is None:
        return default
    return element.get(f"{W}val", default)


class Numbering:
    """The list definitions of one .docx, and the counters of the paragraphs read so far."""

    def __init__(
        self, numbering: ElementTree.Element | None, styles: ElementTree.Element | None = None
    ) -> None:
        # abstract id → level → (start, format, text)
        self.abstract: dict[str, dict[int, tuple[int, str, str]]] = {}
        # num id → (abstract id, level → start override)
        self.lists: dict[str, tuple[str, dict[int, int]]] = {}
        self.style_numbering: dict[str, tuple[str | None, int | None]] = {}
        self.counters: dict[str, list[int | None]] = {}
        if numbering is not None:
            for abstract in numbering.iter(f"{W}abstractNum"):
                levels = {}
                for level in abstract.findall(f"{W}lvl"):
                    index = _int(level.get(f"{W}ilvl"))
                    if index is None or not 0 <= index < MAX_LEVELS:
                        continue
                    start = _int(_value(level.find(f"{W}start"), "1")) or 0
                    kind = _value(level.find(f"{W}numFmt"), "decimal") or "decimal"
                    text = _value(level.find(f"{W}lvlText"), "") or ""
                    levels[index] = (start, kind, text)
                self.abstract[abstract.get(f"{W}abstractNumId", "")] = levels
            for num in numbering.iter(f"{W}num"):
                overrides = {}
                for override in num.findall(f"{W}lvlOverride"):
                    index = _int(override.get(f"{W}ilvl"))
                    start = _int(_value(override.find(f"{W}startOverride")))
                    if index is not None and start is not None:
                        overrides[index] = start
                abstract_id = _value(num.find(f"{W}abstractNumId"), "") or ""
                self.lists[num.get(f"{W}numId", "")] = (abstract_id, overrides)
        if styles is not None:
            for style in styles.iter(f"{W}style"):
                num_pr = style.find(f"{W}pPr/{W}numPr")
                if num_pr is not None:
                    self.style_numbering[style.get(f"{W}styleId", "")] = (
                        _value(num_pr.find(f"{W}numId")),
                        _int(_value(num_pr.find(f"{W}ilvl"))),
                    )

    def label(self, paragraph: ElementTree.Element) -> str:
        """The label Word shows before ``paragraph`` ("" when it is not numbered); advances the counters."""
        properties = paragraph.find(f"{W}pPr")
        if properties is None:
            return ""
        num_id, level = None, None
        style = _value(properties.find(f"{W}pStyle"))
        if style in self.style_numbering:
            num_id, level = self.style_numbering[style]
        num_pr = properties.find(f"{W}numPr")
        if num_pr is not None:
            num_id = _value(num_pr.find(f"{W}numId"), num_id)
            level = _int(_value(num_pr.find(f"{W}ilvl"))) if num_pr.find(f"{W}ilvl") is not None else level
        level = level or 0
        if not num_id or num_id == "0" or num_id not in self.lists or not 0 <= level < MAX_LEVELS:
            return ""
        abstract_id, overrides = self.lists[num_id]
        levels = self.abstract.get(abstract_id, {})
        if level not in levels:
            return ""
        # Lists that share a definition continue one another unless one restarts its numbering.
        key = num_id if overrides else abstract_id
        counters = self.counters.setdefault(key, [None] * MAX_LEVELS)
        start = overrides.get(level, levels[level][0])
        counters[level] = start if counters[level] is None else counters[level] + 1
        for deeper in range(level + 1, MAX_LEVELS):
            counters[deeper] = None
        text = levels[level][2]
        for index in range(MAX_LEVELS):
            placeholder = f"%{index + 1}"
            if placeholder in text:
                value = counters[index]
                if value is None:
                    value = overrides.get(index, levels.get(index, (1, "decimal", ""))[0])
                kind = levels.get(index, (1, "decimal", ""))[1]
                text = text.replace(placeholder, format_number(value, kind))
        return "" if levels[level][1] == "bullet" else text


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
