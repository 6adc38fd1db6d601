"""The roll-up: a federation's targets against what its subtree recorded (``reads``), judged
(status, completion, score) by one set of rules shared by the dashboard, the API, the export and the
summary."""

from .reads import (  # noqa: F401  (the package's public names)
    HUNDRED,
    ChildResult,
    IndicatorRow,
    IndicatorStatistics,
    Progress,
    Rollup,
    SplitTarget,
    Status,
    completed_months,
    default_as_of,
    expected_share,
    indicator_statistics,
    own_name,
    previous_result,
    rollup,
    status_labels,
    weighted_score,
    year_on_year,
)
