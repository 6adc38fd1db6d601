"""Double clicks that race (PostgreSQL only: SQLite serialises writers): two requests creating the
same scheme at once — the second must get the Chinese message, not the unique constraint's 500."""

import multiprocessing

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from assessments import services
from assessments.models import Scheme
from fedwork.models import Federation, User

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrency")


def _create(federation_pk: int, user_pk: int, barrier, results) -> None:
    connections.close_all()  # a forked process must open its own connection
    try:
        federation, user = Federation.objects.get(pk=federation_pk), User.objects.get(pk=user_pk)
        barrier.wait(timeout=30)
        services.scheme_create(federation=federation, year=2014, name="长沙市考核细则", by=user)
        results.put("created")
    except ValidationError as error:
        results.put(" ".join(error.messages))
    except Exception as error:  # reported to the parent, which fails the test
        results.put(f"error: {error!r}")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_create_scheme_makes_one_and_says_so(tree, people):
    connections.close_all()
    context = multiprocessing.get_context("fork")
    outcomes = []
    for _round in range(5):  # the race is not won every time: try a few
        Scheme.objects.filter(year=2014).delete()
        connections.close_all()
        barrier, results = context.Barrier(2), context.Queue()
        workers = [
            context.Process(
                target=_create, args=(tree["changsha"].pk, people["changsha_leader"].pk, barrier, results)
            )
            for _worker in range(2)
        ]
        for process in workers:
            process.start()
        for process in workers:
            process.join(timeout=120)
        outcomes = sorted(results.get(timeout=5) for _ in workers)
        assert outcomes == ["2014年的考核细则已经存在。", "created"], outcomes
        assert Scheme.objects.filter(year=2014).count() == 1
