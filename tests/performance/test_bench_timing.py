"""The benchmark times a figure and its baselines in alternation, none always first."""

from bench.run import timed, timed_together


def test_figures_timed_together_alternate_and_rotate_who_goes_first():
    calls: list[str] = []
    fns = {name: (lambda name=name: calls.append(name)) for name in ("api", "a", "b")}

    figures = timed_together(fns, repeat=4, warmup=2)

    rounds = [calls[i : i + 3] for i in range(0, len(calls), 3)]
    assert len(rounds) == 6
    assert all(sorted(r) == ["a", "api", "b"] for r in rounds)
    assert [r[0] for r in rounds] == ["api", "a", "b", "api", "a", "b"]
    assert {name: figure["n"] for name, figure in figures.items()} == {"api": 4, "a": 4, "b": 4}


def test_only_rounds_after_the_warmup_are_timed(monkeypatch):
    # Each call takes a millisecond in the warm-up, three afterwards.
    clock = {"now": 0.0}

    def perf_counter():
        return clock["now"]

    def slow_after_warmup(state={"calls": 0}):  # noqa: B006 - a counter local to the test
        state["calls"] += 1
        clock["now"] += 0.001 if state["calls"] <= 2 else 0.003

    monkeypatch.setattr("bench.run.time.perf_counter", perf_counter)

    figure = timed(slow_after_warmup, repeat=5, warmup=2)

    assert figure == {"median_ms": 3.0, "p95_ms": 3.0, "n": 5}


def test_the_filter_sweep_fills_in_the_caseworker_and_the_days_ago():
    import uuid
    from datetime import datetime, timedelta

    from django.utils import timezone

    from bench.measure import CASEWORKER_ID, FILTER_SWEEP, _sweep_params
    from core.models import User

    caseworker = User(pk=uuid.uuid4())
    filled = _sweep_params(
        {"caseworker": CASEWORKER_ID, "created_after": "30 days ago", "region": "01"},
        caseworker=caseworker,
    )

    assert filled["caseworker"] == str(caseworker.pk)
    assert filled["region"] == "01"
    thirty_days_ago = timezone.now() - timedelta(days=30)
    assert abs(datetime.fromisoformat(filled["created_after"]) - thirty_days_ago) < timedelta(
        minutes=1
    )
    assert {url for _who, url, _params in FILTER_SWEEP} == {
        "/api/v1/clients/",
        "/api/v1/cases/",
        "/api/v1/aid-requests/",
    }


def test_every_other_list_has_a_name_and_a_user_the_benchmark_knows():
    from bench.measure import LIST_NAMES, OTHER_LISTS

    assert {who for who, _url, _params in OTHER_LISTS} <= {
        "caseworker",
        "team lead",
        "program officer",
    }
    assert {url for _who, url, _params in OTHER_LISTS} <= set(LIST_NAMES)
    figures = [(who, url, tuple(sorted(params.items()))) for who, url, params in OTHER_LISTS]
    assert len(set(figures)) == len(figures)
