"""Clean text at entry and on the way out: no control or format characters.

The rule (:func:`clean_text`) removes every character that XML 1.0 cannot carry and every invisible
control or format character a paste from Word or a web page brings along:

* Unicode category ``Cc`` (C0 and C1 controls, U+0000–U+001F, U+007F–U+009F). XML 1.0 allows only
  U+0009, U+000A and U+000D of them (https://www.w3.org/TR/xml/#charsets); openpyxl refuses the
  others with ``IllegalCharacterError`` (``openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE`` is
  ``[\\000-\\010]|[\\013-\\014]|[\\016-\\037]``) and python-docx / lxml raise ``ValueError``;
* Unicode category ``Cf`` (format characters: soft hyphen U+00AD, zero-width space and joiners
  U+200B–U+200D, bidirectional marks and overrides, BOM U+FEFF, tag characters …); ZWJ in emoji
  sequences goes too, which only splits a compound emoji into its parts;
* surrogates (``Cs``) and the non-characters U+FFFE and U+FFFF, outside XML 1.0's ranges.

Line breaks are kept in multi-line text and folded to a space in single-line text.
"""

import re
import unicodedata

# Format characters live in the BMP, the SMP (U+1xxxx) and the tag block U+E0000–U+E0FFF; scanning
# those planes once at import (about 140,000 lookups) is cheaper than scanning all of Unicode.
_SCANNED = (range(0x20000), range(0xE0000, 0xE1000))
_KEPT = {"\n", "\t", "\r", "\u2028", "\u2029"}


def _removed_characters() -> list[str]:
    removed = [
        chr(cp)
        for block in _SCANNED
        for cp in block
        if unicodedata.category(chr(cp)) in ("Cc", "Cf", "Cs") and chr(cp) not in _KEPT
    ]
    return [*removed, "\ufffe", "\uffff"]


def _char_class(chars: list[str]) -> str:
    parts, codes = [], sorted(ord(c) for c in chars)
    start = prev = codes[0]
    for code in [*codes[1:], None]:
        if code is not None and code == prev + 1:
            prev = code
            continue
        first, last = re.escape(chr(start)), re.escape(chr(prev))
        parts.append(first if start == prev else f"{first}-{last}")
        if code is not None:
            start = prev = code
    return "[" + "".join(parts) + "]"


_REMOVED_RE = re.compile(_char_class(_removed_characters()))
_NEWLINE_RE = re.compile(r"\r\n?|[\u2028\u2029]")
_SINGLE_LINE_RE = re.compile(r"[\r\n\t\u2028\u2029]+")
# Any character clean_text may change: the fast path returns the value itself when none occurs.
_NEEDS_CLEANING_RE = re.compile(_REMOVED_RE.pattern[:-1] + r"\r\n\t\u2028\u2029]")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """Return ``value`` without control, format or XML-illegal characters.

    Removes Unicode categories Cc, Cf and Cs and U+FFFE/U+FFFF (see the module docstring for the
    sources: XML 1.0 §2.2 and openpyxl's ``ILLEGAL_CHARACTERS_RE``).

    * ``multiline=True`` (text areas): ``\\r\\n``, ``\\r``, U+2028 and U+2029 become ``\\n``;
      ``\\n`` and ``\\t`` are kept; surrounding whitespace is kept.
    * ``multiline=False`` (single-line fields): each run of ``\\r``, ``\\n``, ``\\t``, U+2028 and
      U+2029 becomes one space and surrounding whitespace is stripped.

    Text without any such character costs one regex search.
    """
    if _NEEDS_CLEANING_RE.search(value) is None:
        return value if multiline else value.strip()
    value = _REMOVED_RE.sub("", value)
    if multiline:
        return _NEWLINE_RE.sub("\n", value)
    return _SINGLE_LINE_RE.sub(" ", value).strip()
