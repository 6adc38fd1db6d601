"""The attack tests reuse the assessment world (长沙市 assesses 芙蓉区 and 岳麓区) and its personas."""

from tests.assessments.conftest import staff, world  # noqa: F401 (fixtures)
