from tests.activities.conftest import activity_indicators, training

__all__ = ["activity_indicators", "training"]
