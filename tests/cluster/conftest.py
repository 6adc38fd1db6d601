import time

import pytest

from fedwork import db_router


@pytest.fixture(autouse=True)
def fresh_state():
    """Each test starts with a replica measured just now, caught up."""
    db_router.state = db_router.ReplicaState(lag=0.0, checked_at=time.monotonic())
    yield
    db_router.state = db_router.ReplicaState()
