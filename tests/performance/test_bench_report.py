"""The benchmark's markdown summary says plainly what a run did not measure."""

from bench.report import markdown

MACHINE = {"cpus": 2, "python": "3.11", "postgresql": "15", "platform": "Linux"}


def _run(clients: int, export: dict) -> dict:
    return {
        "clients": clients,
        "date": "2026-11-28 18:56 UTC",
        "machine": MACHINE,
        "world": {"clients": clients},
        "lists": {"status": "not measured"},
        "details": {"status": "not measured"},
        "approvals": {"status": "not measured"},
        "pdf": {"status": "not measured"},
        "export": export,
    }


def test_an_export_not_measured_in_a_world_is_said_to_be_measured_in_the_largest():
    summary = markdown([_run(10_000, {"status": "not measured"})])

    assert (
        "Compliance export vs `COPY`: not measured in this run (`make bench` measures it in "
        "the largest world only" in summary
    )


def test_a_measured_export_is_given_with_its_figures():
    summary = markdown([_run(100_000, {"rows": 1_000_000, "ratio": 2.15})])

    assert "Compliance export vs `COPY`: rows 1000000, ratio 2.15" in summary
    assert "not measured in this run" not in summary


def _list_row(**extra) -> dict:
    figure = {"median_ms": 20.0, "p95_ms": 25.0, "n": 30}
    return {
        "figure": "client list",
        "user": "team lead",
        "api": figure,
        "api_queries": 3,
        "api_queries_page_10": 3,
        "baseline_a": {"median_ms": 4.0, "p95_ms": 5.0, "n": 30},
        "ratio_to_a": 5.0,
        "baseline_b": {"median_ms": 400.0, "p95_ms": 450.0, "n": 30},
        "b_over_api": 20.0,
        "baseline_b_queries": 2,
        **extra,
    }


def test_the_cost_of_a_one_row_page_is_tabled_against_the_full_page_and_baseline_a():
    run = _run(100_000, {"status": "not measured"})
    run["lists"] = [
        _list_row(api_one_row={"median_ms": 15.0, "p95_ms": 18.0, "n": 30}, one_row_to_a=3.75)
    ]

    summary = markdown([run])

    assert "| team lead | client list | 15.0 / 18.0 | 20.0 | 75% | 3.75× |" in summary


def test_a_run_measured_before_the_one_row_figure_has_no_such_table():
    run = _run(100_000, {"status": "not measured"})
    run["lists"] = [_list_row()]

    summary = markdown([run])

    assert "| team lead | client list | 20.0 / 25.0 | 3 / 3 |" in summary
    assert "What a request costs before its rows" not in summary


def test_each_filter_is_tabled_with_its_time_queries_and_rows_counted():
    run = _run(100_000, {"status": "not measured"})
    run["filters"] = [
        {
            "user": "team lead",
            "list": "client list",
            "filter": "case_status=active",
            "count": 1000,
            "count_is_estimate": True,
            "api": {"median_ms": 204.3, "p95_ms": 250.0, "n": 30},
            "api_queries": 3,
        }
    ]

    summary = markdown([run])

    assert (
        "| team lead | client list | case_status=active | 204.3 / 250.0 | 3 | 1,000+ |" in summary
    )


def test_a_run_without_the_filter_sweep_has_no_such_table():
    summary = markdown([_run(100_000, {"status": "not measured"})])

    assert "Every filter and ordering" not in summary


def test_each_other_list_is_tabled_with_its_time_queries_and_rows_counted():
    run = _run(100_000, {"status": "not measured"})
    run["other_lists"] = [
        {
            "user": "team lead",
            "list": "payments",
            "filter": "",
            "count": 412,
            "count_is_estimate": False,
            "api": {"median_ms": 12.5, "p95_ms": 14.0, "n": 30},
            "api_queries": 3,
        }
    ]

    summary = markdown([run])

    assert "The other lists of records and money" in summary
    assert "| team lead | payments | 12.5 / 14.0 | 3 | 412 |" in summary


def _other_list(median_ms: float, list_filter: str = "") -> dict:
    return {
        "user": "caseworker",
        "list": "notifications",
        "filter": list_filter,
        "count": 120,
        "count_is_estimate": False,
        "api": {"median_ms": median_ms, "p95_ms": median_ms + 1, "n": 30},
        "api_queries": 3,
    }


def test_each_other_list_grows_from_the_smaller_world_to_the_larger_by_its_filter():
    small, large = _run(10_000, {"status": "not measured"}), _run(100_000, {"rows": 10})
    small["other_lists"] = [_other_list(10.0), _other_list(8.0, "unread=true")]
    large["other_lists"] = [_other_list(12.0), _other_list(16.0, "unread=true")]

    summary = markdown([small, large])

    assert "| caseworker | notifications | 10.0 | 12.0 | 1.20× | 3 → 3 |" in summary
    assert "| caseworker | notifications, unread=true | 8.0 | 16.0 | 2.00× | 3 → 3 |" in summary
    assert "| caseworker | notifications, unread=true | 16.0 / 17.0 | 3 | 120 |" in summary


def test_a_run_without_the_other_lists_has_no_such_table():
    summary = markdown([_run(100_000, {"status": "not measured"})])

    assert "The other lists of records and money" not in summary


def test_the_audit_log_is_tabled_by_filter_with_the_events_it_was_measured_over():
    run = _run(100_000, {"status": "not measured"})
    run["audit"] = {
        "events": 2_007_374,
        "write_seconds": 81.7,
        "record": {"median_ms": 0.9, "p95_ms": 1.4, "n": 150},
        "figures": [
            {
                "filter": "",
                "count": 1000,
                "count_is_estimate": True,
                "api": {"median_ms": 10.3, "p95_ms": 12.0, "n": 30},
                "api_queries": 5,
            },
            {
                "filter": "request_id=<a request in the log>",
                "count": 2,
                "count_is_estimate": False,
                "api": {"median_ms": 6.5, "p95_ms": 7.0, "n": 30},
                "api_queries": 5,
            },
        ],
    }

    summary = markdown([run])

    assert "over 2,007,374 audit events (written in 81.7 s" in summary
    assert "writing one more event: 0.9 / 1.4 ms" in summary
    assert "| (none) | 10.3 / 12.0 | 5 | 1,000+ |" in summary
    assert "| request_id=<a request in the log> | 6.5 / 7.0 | 5 | 2 |" in summary


def test_a_run_without_the_audit_log_has_no_such_table():
    summary = markdown([_run(10_000, {"status": "not measured"})])

    assert "The agency audit log" not in summary
