"""Parallel splits of one target give each child one target (issue #13, finding 10).

Three people pressing 分解 on the same target at once used to give a township three copies of its
target (and a 500 when the township had no plan yet: three plans for one federation and year).
"""

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, connections, transaction

from plans import services
from plans.models import Plan, Target, WorkPoint
from tests import factories

PARALLEL = 3


@pytest.fixture
def upper_target(tree):
    indicator = factories.indicator("PX02", "培训妇女人数", "人", tree["nation"])
    plan = factories.plan(tree["furong"], year=2013)
    return factories.target(factories.point(plan), indicator, 300)


def test_the_database_refuses_a_second_split_in_one_plan(tree, upper_target):
    services.target_split(target=upper_target, values={tree["dingwangtai"].pk: Decimal(5)}, by=None)
    copy = Target.objects.get(parent_target=upper_target)
    copy.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        copy.save()
    constraints = {c.name for c in Target._meta.constraints}
    assert "plans_target_one_split_per_plan" in constraints


def test_splitting_twice_updates_the_one_child_target(tree, upper_target):
    for value in (5, 7):
        services.target_split(target=upper_target, values={tree["dingwangtai"].pk: Decimal(value)}, by=None)
    assert list(Target.objects.filter(parent_target=upper_target).values_list("value", flat=True)) == [7]


def _in_parallel(work) -> list[BaseException]:
    """Run ``work`` in PARALLEL threads started together, each on its own connection."""
    barrier, errors = threading.Barrier(PARALLEL), []

    def run():
        try:
            barrier.wait()
            work()
        except BaseException as error:  # reported to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(PARALLEL)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_parallel_splits_of_one_target_give_one_child_target(tree, upper_target):
    township = tree["dingwangtai"]
    assert not Plan.objects.filter(federation=township).exists()

    errors = _in_parallel(
        lambda: services.target_split(
            target=Target.objects.get(pk=upper_target.pk), values={township.pk: Decimal(5)}, by=None
        )
    )

    assert errors == []
    assert Plan.objects.filter(federation=township, year=2013).count() == 1
    assert Target.objects.filter(parent_target=upper_target).count() == 1
    assert WorkPoint.objects.filter(plan__federation=township).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_parallel_splits_of_different_targets_share_the_childs_new_plan(tree, upper_target):
    """Splits of different targets do not wait for each other, but create the child's plan once."""
    township = tree["dingwangtai"]
    point = upper_target.work_point
    others = [upper_target] + [
        factories.target(point, factories.indicator(f"X{n}", f"指标{n}", "人", tree["nation"]), 10)
        for n in range(PARALLEL - 1)
    ]
    queue = list(others)
    lock = threading.Lock()

    def split_one():
        with lock:
            target = queue.pop()
        services.target_split(target=target, values={township.pk: Decimal(1)}, by=None)

    errors = _in_parallel(split_one)

    assert errors == []
    assert Plan.objects.filter(federation=township, year=2013).count() == 1
    assert Target.objects.filter(parent_target__in=others).count() == PARALLEL
    assert WorkPoint.objects.filter(plan__federation=township).count() == 1
