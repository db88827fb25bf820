"""How a serving process runs Python: set once by the WSGI and ASGI entry points."""

import gc

# Python's cyclic garbage collector looks at the youngest objects after every 700 net
# allocations (its default). A list page builds hundreds of model instances and
# querysets, so objects still in use mid-request were promoted again and again until a
# full collection walked the whole heap inside a request: 100-185 ms, on about one
# request in eight of a team lead's referral list at national scale (p95 202 ms, median
# 53). Looking after every 50,000 left the median alone and the p95 at 65 ms
# (docs/PERFORMANCE.md). Memory held by garbage between collections stays a few MB.
# https://docs.python.org/3.11/library/gc.html#gc.set_threshold
GC_THRESHOLDS = (50_000, 20, 20)


def tune_garbage_collector() -> None:
    """Collect cyclic garbage less often than Python's default (see `GC_THRESHOLDS`)."""
    gc.set_threshold(*GC_THRESHOLDS)
