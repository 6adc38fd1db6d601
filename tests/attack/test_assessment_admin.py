"""Attacks through the admin (#16): the assessed federation's administrator must not read the
reviewer's scores there before the review is complete (the pages hide them: views._scores_visible)."""

from decimal import Decimal

from django.urls import reverse

from assessments import services
from fedwork.models import Role
from tests import factories


def reviewed_in_draft(world, staff):
    """芙蓉区 submitted; 长沙市 saved a review score and a comment but has not completed the review."""
    assessment, item = world["furong"], world["items"]["妇女之家规范化建设"]
    services.self_assessment_save(
        assessment=assessment, entries={item.pk: services.SelfEntry(Decimal(60))}, by=staff["furong_staff"]
    )
    services.assessment_submit(assessment=assessment, by=staff["furong_staff"])
    services.review_save(
        assessment=assessment,
        entries={item.pk: services.ReviewEntry(Decimal("41.5"), "台账不全，酌情扣分")},
        by=staff["changsha_leader"],
    )
    return assessment.scores.get(item=item)


def test_the_childs_admin_does_not_read_draft_review_scores_in_the_admin(world, staff, tree, login):
    score = reviewed_in_draft(world, staff)
    furong_admin = factories.user("furong-admin", tree["furong"], Role.ADMIN)
    client = login(furong_admin)
    # The page hides them …
    page = client.get(reverse("assessments:detail", args=[world["furong"].pk])).content.decode()
    assert "台账不全，酌情扣分" not in page
    # … and so does the admin: neither the list nor the record shows them.
    listing = client.get(reverse("admin:assessments_itemscore_changelist")).content.decode()
    assert "41.5" not in listing
    record = client.get(reverse("admin:assessments_itemscore_change", args=[score.pk]))
    assert record.status_code in (302, 404) or "台账不全，酌情扣分" not in record.content.decode()
    # The reviewing federation's admin still reads them.
    reviewer = login(staff["changsha_admin"])
    record = reviewer.get(reverse("admin:assessments_itemscore_change", args=[score.pk]))
    assert "台账不全，酌情扣分" in record.content.decode()
