"""The serving process collects cyclic garbage less often than Python's default."""

import gc

import pytest

from config.runtime import GC_THRESHOLDS


@pytest.fixture
def default_thresholds():
    saved = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield
    gc.set_threshold(*saved)


@pytest.mark.parametrize("entry_point", ["config.wsgi", "config.asgi"])
def test_each_entry_point_sets_the_collector_thresholds(default_thresholds, entry_point):
    import importlib
    import sys

    sys.modules.pop(entry_point, None)
    importlib.import_module(entry_point)

    assert gc.get_threshold() == GC_THRESHOLDS
    assert GC_THRESHOLDS[0] > 700
