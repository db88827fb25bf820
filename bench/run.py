"""Measure one world: `python -m bench.run --clients N --json FILE` (DATABASE_URL names the DB).

Seeds the database with `seed_demo --clients N` unless it already holds a
world of that size, then times every figure of docs/PERFORMANCE.md against
its baselines in this one process, and writes the figures as JSON.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

PARTS = ("lists", "filters", "other_lists", "details", "approvals", "pdf", "export", "audit")


def ensure_database(url: str) -> None:
    """Create the benchmark database if it does not exist (PostgreSQL only)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def timed(fn, *, repeat: int, warmup: int = 3) -> dict:
    """Median and p95 wall time of `fn` in milliseconds, after `warmup` untimed calls."""
    return timed_together({"fn": fn}, repeat=repeat, warmup=warmup)["fn"]


def timed_together(fns: dict, *, repeat: int, warmup: int = 3) -> dict:
    """`timed` for each of `fns`, called in turn within each round: {name: figure}.

    A figure and its baselines timed in alternation see the same machine:
    on a shared machine a slow minute slows all of them, where timed one
    block after another it would slow whichever block it fell in, and move
    their ratio by 20–30% from run to run. Each round starts with the next
    function of the last, so none is always first after a switch.
    """
    names = list(fns)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(warmup + repeat):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            start = time.perf_counter()
            fns[name]()
            if round_number >= warmup:
                times[name].append((time.perf_counter() - start) * 1000)
    return {name: _figure(sorted(times[name])) for name in names}


def _figure(times: list[float]) -> dict:
    return {
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 2),
        "n": len(times),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, required=True)
    parser.add_argument("--json", required=True, help="where to write the figures")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per figure")
    parser.add_argument("--approvals", type=int, default=400, help="aid approvals to time")
    parser.add_argument("--export-rows", type=int, default=1_000_000)
    parser.add_argument("--audit-events", type=int, default=2_000_000)
    parser.add_argument("--reseed", action="store_true", help="drop and seed the world again")
    parser.add_argument(
        "--parts",
        default=",".join(PARTS),
        help=f"which figures to measure (default: all of {PARTS})",
    )
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("The benchmark runs on PostgreSQL: set DATABASE_URL=postgres://…")
    if args.reseed:
        drop_database(url)
    ensure_database(url)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The benchmark times the server, not its rate limit: one user's lists and filters
    # come faster than the default 1,200 requests a minute on a small world.
    os.environ.setdefault("THROTTLE_USER", "1000000/min")
    import django

    django.setup()
    from bench import audit_log, measure
    from config.runtime import tune_garbage_collector

    # As the WSGI and ASGI entry points run the server.
    tune_garbage_collector()

    world_seconds = measure.prepare_world(args.clients)
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    results = {
        "clients": args.clients,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "seed_seconds": world_seconds,
        "world": measure.world_counts(),
    }
    results["machine"]["load_average_at_start"] = load_at_start
    print(f"[bench {args.clients}] world ready: {results['world']}", flush=True)
    parts = set(args.parts.split(","))
    figures = {
        "lists": lambda: measure.lists(repeat=args.repeat),
        "filters": lambda: measure.filters(repeat=args.repeat),
        "other_lists": lambda: measure.other_lists(repeat=args.repeat),
        "details": lambda: measure.details(repeat=args.repeat),
        "approvals": lambda: measure.approvals(total=args.approvals, workers=8),
        "pdf": measure.pdfs,
        "export": lambda: measure.export(rows=args.export_rows),
        "audit": lambda: audit_log.audit_log(events=args.audit_events, repeat=args.repeat),
    }
    for part in PARTS:
        results[part] = figures[part]() if part in parts else {"status": "not measured"}
        print(f"[bench {args.clients}] {part}: done", flush=True)
        # Written after every part, so a run stopped early keeps what it measured.
        _write(args.json, results)
    # The machine may be shared: the load says how far to trust the absolute times.
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    _write(args.json, results)
    print(f"[bench {args.clients}] figures written to {args.json}", flush=True)


def _write(path: str, results: dict) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(results, fh, indent=2, default=str)


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        server = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "postgresql": server,
    }


if __name__ == "__main__":
    main()
