"""Run the benchmark suite: `python -m bench [--sizes 10000,100000]` (see docs/PERFORMANCE.md).

Each world size runs in its own process against its own database (the
DATABASE_URL database name with the size appended, e.g. tautoko_bench_10000),
so a seeded world is kept and re-used by the next run. The figures go to
var/bench/<size>.json and a markdown summary to stdout and var/bench/summary.md.
"""

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.report import markdown

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tautoko_bench"


def database_url(base: str, clients: int) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{clients}"))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated client counts")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per figure")
    parser.add_argument("--approvals", type=int, default=400)
    parser.add_argument(
        "--export-rows",
        type=int,
        default=1_000_000,
        help="rows of the export figure, measured in the largest world only (it builds its own)",
    )
    parser.add_argument(
        "--audit-events",
        type=int,
        default=2_000_000,
        help="audit events of the audit log figure, in the largest world only (it writes its own)",
    )
    parser.add_argument("--out", default="var/bench", help="directory for the JSON figures")
    parser.add_argument("--reseed", action="store_true", help="seed every world again")
    parser.add_argument(
        "--report-only", action="store_true", help="summarise the JSON already in --out"
    )
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size]
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not args.report_only:
        for clients in sizes:
            env = {
                **os.environ,
                "DATABASE_URL": database_url(base, clients),
                "DJANGO_SETTINGS_MODULE": "config.settings",
            }
            command = [
                sys.executable, "-m", "bench.run", "--clients", str(clients),
                "--json", str(out / f"{clients}.json"), "--repeat", str(args.repeat),
                "--approvals", str(args.approvals), "--export-rows", str(args.export_rows),
                "--audit-events", str(args.audit_events),
            ]  # fmt: skip
            if clients != max(sizes):
                command += ["--parts", "lists,filters,other_lists,details,approvals,pdf"]
            if args.reseed:
                command.append("--reseed")
            print(f"[bench] {clients} clients on {env['DATABASE_URL']}", flush=True)
            subprocess.run(command, env=env, check=True)  # noqa: S603 - our own argv
    runs = []
    for clients in sizes:
        path = out / f"{clients}.json"
        if path.exists():
            runs.append(json.loads(path.read_text(encoding="utf-8")))
    summary = markdown(runs)
    (out / "summary.md").write_text(summary, encoding="utf-8")
    print(summary)


if __name__ == "__main__":
    main()
