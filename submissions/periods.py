"""Reporting periods (报送期): which months a monthly, quarterly, half-year or yearly report covers, and
when it is due. Pure arithmetic, shared by the models, the services and the pages.
"""

import calendar
from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    MONTH = "month", _("月报")
    QUARTER = "quarter", _("季报")
    HALF = "half", _("半年报")
    YEAR = "year", _("年报")


# How many months one period of each frequency spans.
SPAN = {Frequency.MONTH: 1, Frequency.QUARTER: 3, Frequency.HALF: 6, Frequency.YEAR: 12}


@dataclass(frozen=True, order=True)
class Period:
    """One period of a year: ``Period(2013, "quarter", 2)`` is 2013年第二季度 (April–June)."""

    year: int
    frequency: str
    number: int

    def __post_init__(self):
        if self.frequency not in SPAN:
            raise ValueError(f"unknown frequency {self.frequency!r}")
        if not 1 <= self.number <= 12 // SPAN[self.frequency]:
            raise ValueError(f"{self.frequency} period {self.number} does not exist")

    @property
    def months(self) -> range:
        """The months it covers, 1–12."""
        span = SPAN[self.frequency]
        return range((self.number - 1) * span + 1, self.number * span + 1)

    @property
    def first_day(self) -> date:
        return date(self.year, self.months.start, 1)

    @property
    def last_day(self) -> date:
        last = self.months.stop - 1
        return date(self.year, last, calendar.monthrange(self.year, last)[1])

    def due_date(self, due_day: int) -> date:
        """The ``due_day`` of the month after the period (clamped to that month's length): 5 → the 5th
        of the following month, as offices set it (次月5日前报送)."""
        year, month = (
            (self.year + 1, 1) if self.last_day.month == 12 else (self.year, self.last_day.month + 1)
        )
        return date(year, month, min(due_day, calendar.monthrange(year, month)[1]))

    @property
    def label(self) -> str:
        """How offices write it: 2013年5月, 2013年第二季度, 2013年上半年, 2013年度."""
        if self.frequency == Frequency.MONTH:
            return _("%(year)d年%(month)d月") % {"year": self.year, "month": self.number}
        if self.frequency == Frequency.QUARTER:
            return _("%(year)d年第%(n)s季度") % {"year": self.year, "n": "一二三四"[self.number - 1]}
        if self.frequency == Frequency.HALF:
            return (
                _("%(year)d年上半年") % {"year": self.year}
                if self.number == 1
                else _("%(year)d年下半年") % {"year": self.year}
            )
        return _("%(year)d年度") % {"year": self.year}

    def __str__(self) -> str:
        return str(self.label)


def periods_of(year: int, frequency: str) -> list[Period]:
    return [Period(year, frequency, number) for number in range(1, 12 // SPAN[frequency] + 1)]


def periods_containing(year: int, month: int) -> list[Period]:
    """The period of each frequency that contains this month."""
    return [Period(year, frequency, (month - 1) // span + 1) for frequency, span in SPAN.items()]
