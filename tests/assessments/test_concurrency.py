"""Two reviewers acting on one assessment at once: the row lock lets one through and the other sees
the new state (PostgreSQL only: SQLite serialises writers anyway)."""

import multiprocessing
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from assessments import services
from assessments.models import Assessment, AssessmentEvent, ItemScore
from fedwork.models import User

from .test_services import self_assess

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrency")


def _answer(score_pk: int, user_pk: int, points: str, barrier, results) -> None:
    connections.close_all()  # a forked process must open its own connection
    try:
        barrier.wait(timeout=30)
        services.objection_answer(
            score=ItemScore.objects.get(pk=score_pk),
            answer=f"改为{points}分",
            points=Decimal(points),
            by=User.objects.get(pk=user_pk),
        )
        results.put("answered")
    except ValidationError as error:
        results.put(" ".join(error.messages))
    except Exception as error:  # reported to the parent, which fails the test
        results.put(f"error: {error!r}")
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_answer_one_objection_once(world, staff):
    furong = world["furong"]
    self_assess(world, staff, furong)
    items = world["items"]
    services.review_save(
        assessment=furong,
        entries={items["妇女之家规范化建设"].pk: services.ReviewEntry(Decimal(60), "")},
        by=staff["changsha_leader"],
    )
    services.assessment_review_complete(assessment=furong, by=staff["changsha_leader"])
    score = ItemScore.objects.get(assessment=furong, item=items["妇女之家规范化建设"])
    services.objection_raise(score=score, reason="不同意", by=staff["furong_staff"])
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    workers = [
        context.Process(target=_answer, args=(score.pk, staff[who].pk, points, barrier, results))
        for who, points in [("changsha_leader", "65"), ("changsha_admin", "66")]
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    outcomes = sorted(results.get(timeout=5) for _ in workers)
    assert outcomes == ["answered", "该考核内容没有待答复的异议。"]
    assert AssessmentEvent.objects.filter(action=AssessmentEvent.Action.ANSWERED).count() == 1
    score.refresh_from_db()
    assert (
        score.review_points in (Decimal(65), Decimal(66))
        and score.answer == f"改为{score.review_points:.0f}分"
    )
    assert Assessment.objects.get(pk=furong.pk).total == Decimal("22.5") + score.review_points
