"""Markdown tables from the JSON figures of one or more benchmark runs."""


def _ms(figure: dict | None) -> str:
    if not figure:
        return "—"
    return f"{figure['median_ms']:.1f} / {figure['p95_ms']:.1f}"


def markdown(runs: list[dict]) -> str:
    """The summary of `runs` (one per world size), smallest first, ending with the growth table."""
    runs = sorted(runs, key=lambda run: run["clients"])
    lines: list[str] = []
    for run in runs:
        lines += _run(run)
    if len(runs) > 1:
        lines += _growth(runs[0], runs[-1])
    return "\n".join(lines) + "\n"


def _run(run: dict) -> list[str]:
    m = run["machine"]
    lines = [
        f"### {run['clients']:,} clients — {run['date']}",
        "",
        f"Machine: {m['cpus']} CPUs, Python {m['python']}, PostgreSQL {m['postgresql']}, "
        f"{m['platform']}; load average (1, 5, 15 min) at start "
        f"{m.get('load_average_at_start', '—')}, at end {m.get('load_average_at_end', '—')}. "
        "World: "
        + ", ".join(f"{value:,} {key.replace('_', ' ')}" for key, value in run["world"].items())
        + ".",
        "",
        "| user | list (page of 50) | API median / p95 ms | API queries (50 / 10 rows) "
        "| (a) SQL + json.dumps ms | API ÷ (a) | (b) stock ms | (b) ÷ API | (b) queries |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for row in _rows(run.get("lists")):
        lines.append(
            f"| {row['user']} | {row['figure']} | {_ms(row['api'])} | "
            f"{row['api_queries']} / {row['api_queries_page_10']} | {_ms(row['baseline_a'])} | "
            f"{row['ratio_to_a']}× | {_ms(row['baseline_b'])} | {row['b_over_api']}× | "
            f"{row['baseline_b_queries']} |"
        )
    lines += _one_row(run)
    lines += _filters(run)
    lines += _other_lists(run)
    lines += ["", "| detail | median / p95 ms | queries |", "| --- | --- | --- |"]
    for row in _rows(run.get("details")):
        lines.append(f"| {row['figure']} | {_ms(row['api'])} | {row['api_queries']} |")
    approvals = run.get("approvals") or {"status": "not measured"}
    lines += [""]
    if "approvals_per_second" in approvals:
        lines.append(
            f"Aid approvals, {approvals['workers']} officers side by side: "
            f"{approvals['approvals_per_second']} per second "
            f"({approvals['approved']} approved of {approvals['attempted']} in "
            f"{approvals['seconds']} s; refused: {approvals['refused'] or 'none'})."
        )
    else:
        lines.append(f"Aid approvals: {approvals.get('status')} ({approvals.get('why', '')}).")
    lines += ["", "| PDF figure | result |", "| --- | --- |"]
    pdf = run.get("pdf") or {"status": "not measured"}
    if "status" in pdf:
        lines.append(f"| all | {pdf['status']} |")
    else:
        for name, figure in pdf.items():
            lines.append(f"| {name} | {_describe(figure)} |")
    export = run.get("export") or {"status": "not measured"}
    if export.get("status") == "not measured":
        export_text = (
            "not measured in this run (`make bench` measures it in the largest world only, "
            "which builds its own rows)."
        )
    else:
        export_text = _describe(export)
    lines += ["", f"Compliance export vs `COPY`: {export_text}", ""]
    lines += _audit_log(run)
    return lines


def _one_row(run: dict) -> list[str]:
    """Each list at a page of one row against its page of 50 and (a); none for older runs."""
    rows = [row for row in _rows(run.get("lists")) if "api_one_row" in row]
    if not rows:
        return []
    lines = [
        "",
        "What a request costs before its rows: the same API request for a page of one row.",
        "",
        "| user | list | API, 1 row: median / p95 ms | API, 50 rows: median ms "
        "| 1 row ÷ 50 rows | 1 row ÷ (a) of 50 rows |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        share = row["api_one_row"]["median_ms"] / row["api"]["median_ms"]
        lines.append(
            f"| {row['user']} | {row['figure']} | {_ms(row['api_one_row'])} | "
            f"{row['api']['median_ms']:.1f} | {share:.0%} | {row['one_row_to_a']}× |"
        )
    return lines


def _filters(run: dict) -> list[str]:
    """Each filter and ordering the lists offer, as their users read them; none if not measured."""
    rows = _rows(run.get("filters"))
    if not rows:
        return []
    lines = [
        "",
        "Every filter and ordering of the three lists (page of 50):",
        "",
        "| user | list | filter or ordering | API median / p95 ms | queries | rows counted |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        counted = f"{row['count']:,}{'+' if row['count_is_estimate'] else ''}"
        lines.append(
            f"| {row['user']} | {row['list']} | {row['filter']} | {_ms(row['api'])} | "
            f"{row['api_queries']} | {counted} |"
        )
    return lines


def _other_lists(run: dict) -> list[str]:
    """The other lists of people's records and money as they open; none if not measured."""
    rows = _rows(run.get("other_lists"))
    if not rows:
        return []
    lines = [
        "",
        "The other lists of records and money, as they open (page of 50):",
        "",
        "| user | list | API median / p95 ms | queries | rows counted |",
        "| --- | --- | --- | --- | --- |",
    ]
    for row in rows:
        counted = f"{row['count']:,}{'+' if row['count_is_estimate'] else ''}"
        lines.append(
            f"| {row['user']} | {_list_named(row)} | {_ms(row['api'])} | {row['api_queries']} | "
            f"{counted} |"
        )
    return lines


def _list_named(row: dict) -> str:
    """An other list's name, with its filter when it has one."""
    return f"{row['list']}, {row['filter']}" if row.get("filter") else row["list"]


def _audit_log(run: dict) -> list[str]:
    """The audit log list by each filter, over the events the run wrote; none if not measured."""
    audit = run.get("audit")
    if not isinstance(audit, dict) or "figures" not in audit:
        return []
    lines = [
        f"The agency audit log as its compliance officer reads it, over {audit['events']:,} "
        f"audit events (written in {audit['write_seconds']} s, rolled back afterwards; "
        f"writing one more event: {_ms(audit['record'])} ms):",
        "",
        "| filter or ordering | API median / p95 ms | queries | rows counted |",
        "| --- | --- | --- | --- |",
    ]
    for row in audit["figures"]:
        counted = f"{row['count']:,}{'+' if row['count_is_estimate'] else ''}"
        lines.append(
            f"| {row['filter'] or '(none)'} | {_ms(row['api'])} | {row['api_queries']} | "
            f"{counted} |"
        )
    return [*lines, ""]


def _rows(part) -> list[dict]:
    """The rows of a measured part; none for a part not measured in that run."""
    return part if isinstance(part, list) else []


def _describe(figure) -> str:
    if isinstance(figure, dict):
        return ", ".join(f"{key} {value}" for key, value in figure.items())
    return str(figure)


def _growth(small: dict, large: dict) -> list[str]:
    lines = [
        f"### Growth from {small['clients']:,} to {large['clients']:,} clients",
        "",
        f"| user | list | median ms at {small['clients']:,} | median ms at {large['clients']:,} "
        "| growth | queries |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    before = {(row["user"], row["figure"]): row for row in _rows(small.get("lists"))}
    for row in _rows(large.get("lists")):
        old = before.get((row["user"], row["figure"]))
        if old is None:
            continue
        growth = row["api"]["median_ms"] / old["api"]["median_ms"]
        lines.append(
            f"| {row['user']} | {row['figure']} | {old['api']['median_ms']:.1f} | "
            f"{row['api']['median_ms']:.1f} | {growth:.2f}× | "
            f"{old['api_queries']} → {row['api_queries']} |"
        )
    return [*lines, *_other_growth(small, large), ""]


def _other_growth(small: dict, large: dict) -> list[str]:
    """The growth of each other list measured in both worlds; none if either lacks them."""
    before = {(row["user"], _list_named(row)): row for row in _rows(small.get("other_lists"))}
    grown = [
        (row, before[(row["user"], _list_named(row))])
        for row in _rows(large.get("other_lists"))
        if (row["user"], _list_named(row)) in before
    ]
    if not grown:
        return []
    lines = [
        "",
        "The other lists:",
        "",
        f"| user | list | median ms at {small['clients']:,} | median ms at {large['clients']:,} "
        "| growth | queries |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row, old in grown:
        growth = row["api"]["median_ms"] / old["api"]["median_ms"]
        lines.append(
            f"| {row['user']} | {_list_named(row)} | {old['api']['median_ms']:.1f} | "
            f"{row['api']['median_ms']:.1f} | {growth:.2f}× | "
            f"{old['api_queries']} → {row['api_queries']} |"
        )
    return lines
