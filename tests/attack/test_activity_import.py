"""Attacks on the activity import (command ``import_activities``): a workbook whose hidden year name
was edited by hand."""

from io import BytesIO

import openpyxl
import pytest
from openpyxl.workbook.defined_name import DefinedName

from activities.importing import TEMPLATE_YEAR_NAME, build_template, template_year


@pytest.mark.parametrize("forged", ["²", "9" * 5000])
def test_a_forged_template_year_is_no_year_not_a_crash(tree, forged):
    workbook = openpyxl.load_workbook(BytesIO(build_template(tree["furong"], 2013)))
    del workbook.defined_names[TEMPLATE_YEAR_NAME]
    workbook.defined_names[TEMPLATE_YEAR_NAME] = DefinedName(TEMPLATE_YEAR_NAME, attr_text=forged)
    buffer = BytesIO()
    workbook.save(buffer)
    assert template_year(buffer.getvalue()) is None


def test_the_template_year_is_still_read(tree):
    assert template_year(build_template(tree["furong"], 2013)) == 2013
