"""The JSON API (/api/v1/): one NinjaAPI, a router per domain (``api.reports``: the roll-up;
``api.submissions``: the periodic reports' completeness), and its OpenAPI document.

django-ninja generates the OpenAPI schema from the typed response schemas of the routers; it uses
Django's session authentication and fedwork.access as they are. Its interactive docs page loads assets
from a CDN, which intranets cannot reach, so only the JSON document is served. A new domain (the
assessments, say) adds a module with a ``router`` and one ``add_router`` line below.
"""

from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import ValidationError
from ninja.security import django_auth

from . import reports, submissions

api = NinjaAPI(
    title="fedwork API",
    version="1",
    description="妇联年度工作目标完成情况（汇总到各级）",
    auth=django_auth,
    docs_url=None,
    urls_namespace="api",
)

# pydantic's messages per error type, in the words of fedwork's forms; unknown types fall back to a
# general sentence rather than English.
_PARAMETER_ERRORS = {
    "int_parsing": _("应为整数"),
    "int_from_float": _("应为整数"),
    "float_parsing": _("应为数字"),
    "date_from_datetime_parsing": _("应为日期（如 2013-06-30）"),
    "date_parsing": _("应为日期（如 2013-06-30）"),
    "date_from_datetime_inexact": _("应为日期（如 2013-06-30）"),
    "missing": _("缺少此参数"),
    "string_type": _("应为文字"),
}


@api.exception_handler(ValidationError)
def parameter_errors(request, exc: ValidationError):
    """422 with one Chinese message per bad parameter: {"detail": [{"loc": [...], "msg": "…"}]}."""
    detail = [
        {
            "loc": list(error.get("loc", ())),
            "msg": str(_PARAMETER_ERRORS.get(error.get("type"), _("参数格式不正确"))),
        }
        for error in exc.errors
    ]
    return api.create_response(request, {"detail": detail}, status=422)


api.add_router("/", reports.router)
api.add_router("/", submissions.router)
