"""Two login limits with django-axes' one ``AXES_FAILURE_LIMIT`` (issue #13, finding 11).

axes counts failures per group of ``AXES_LOCKOUT_PARAMETERS`` — here one account from one address,
and one address across all accounts — takes the larger count and locks when it reaches the limit.
Returning the per-account limit only once that account's own count has reached it (and the larger
per-address limit otherwise) locks exactly when either count reaches its own limit:

- ``FEDWORK_LOGIN_LIMIT_PER_ACCOUNT`` failures for one username from one address lock that pair:
  the same username from another address still logs in;
- ``FEDWORK_LOGIN_LIMIT_PER_ADDRESS`` failures from one address, over any usernames, lock the
  address: one password tried against many accounts is stopped.
"""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

from .client_ip import client_ip


def failure_limit(request: HttpRequest, credentials: dict | None = None) -> int:
    """axes' AXES_FAILURE_LIMIT callable: the per-account limit once reached, else the per-address one."""
    per_account = settings.FEDWORK_LOGIN_LIMIT_PER_ACCOUNT
    address = getattr(request, "axes_ip_address", None) or client_ip(request)
    attempts = AccessAttempt.objects.filter(
        username=get_client_username(request, credentials), ip_address=address
    )
    if settings.AXES_COOLOFF_TIME is not None and hasattr(request, "axes_attempt_time"):
        attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
    failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
    return per_account if failures >= per_account else settings.FEDWORK_LOGIN_LIMIT_PER_ADDRESS
