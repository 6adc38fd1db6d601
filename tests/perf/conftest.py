# Fixtures of other modules, shared here: 芙蓉区's records of every kind, as the URL access test builds
# them (every page has something to show), and the 待办 scenario of 2013-07-03.
from tests.submissions.test_todo import scenario, today  # noqa: F401
from tests.test_url_access import furong  # noqa: F401
