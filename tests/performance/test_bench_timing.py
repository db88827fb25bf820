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
