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
