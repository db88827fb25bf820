"""Print (or write into docs/SECURITY.md) the roles table generated from the authorization matrix.

python -m tests.security.roles_table          # print the markdown table
python -m tests.security.roles_table --write  # replace the table in docs/SECURITY.md
"""

import os
import re
import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "SECURITY.md"
START, END = "<!-- roles-table:start -->", "<!-- roles-table:end -->"

# Columns: one demo user of north (the agency that holds the records) per role, then south.
COLUMNS = (
    ("Caseworker (leads the case)", "north-caseworker"),
    ("Caseworker (not assigned)", "north-caseworker2"),
    ("Team lead", "north-lead"),
    ("Program officer", "north-officer"),
    ("Compliance officer", "north-compliance"),
    ("Agency admin", "north-admin"),
)
METHOD_ORDER = ("get", "post", "put", "patch", "delete")
ROLE_NAMES = {
    "caseworker": "caseworker",
    "caseworker2": "caseworker (not assigned)",
    "lead": "team lead",
    "officer": "program officer",
    "senior-officer": "senior program officer",
    "compliance": "compliance officer",
    "admin": "agency admin",
}


def _symbol(outcome: str) -> str:
    from tests.security.routes import DENIED, HIDDEN, LISTED, NOT_ALLOWED, OK, UNLISTED

    return {
        OK: "✓",
        LISTED: "✓",
        UNLISTED: "✓ ∅",
        DENIED: "403",
        HIDDEN: "404",
        NOT_ALLOWED: "405",
    }[outcome]


def _path(route: str) -> str:
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", route)
    path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path)
    return "/" + path


def _other_agency(rule: dict) -> str:
    from collections import Counter

    south = {
        user.split("-", 1)[1]: outcome
        for user, outcome in rule.items()
        if user.startswith("south-")
    }
    common = Counter(south.values()).most_common(1)[0][0]
    exceptions = [
        f"{ROLE_NAMES[role]} {_symbol(outcome)}"
        for role, outcome in south.items()
        if outcome != common
    ]
    return _symbol(common) + (f" ({'; '.join(exceptions)})" if exceptions else "")


def roles_table() -> str:
    """The markdown table of every endpoint action in the matrix and each role's outcome."""
    from tests.security.routes import api_endpoints
    from tests.security.test_authorization_matrix import MATRIX

    header = ["Endpoint", "Action", *(name for name, _ in COLUMNS), "Other agency's staff"]
    rows = []
    for endpoint in api_endpoints():
        row = MATRIX.get(endpoint.name)
        if row is None:
            continue
        for action, method in endpoint.actions:
            rule = row["actions"].get(action)
            if rule is None:
                continue
            if rule["north-officer"] != rule["north-senior-officer"]:
                raise ValueError(f"{endpoint.name}.{action}: officers differ; add a column")
            cells = [
                f"`{method.upper()} {_path(endpoint.route)}`",
                action.replace("_", " "),
                *(_symbol(rule[user]) for _, user in COLUMNS),
                _other_agency(rule),
            ]
            rows.append(((_path(endpoint.route), METHOD_ORDER.index(method), action), cells))
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cells) + " |" for _key, cells in sorted(rows)]
    return "\n".join(lines)


def replace_table(text: str, table: str) -> str:
    """`text` with the part between the roles-table markers replaced by `table`."""
    before, rest = text.split(START, 1)
    _old, after = rest.split(END, 1)
    return f"{before}{START}\n{table}\n{END}{after}"


def main(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    table = roles_table()
    if "--write" in argv:
        DOC.write_text(replace_table(DOC.read_text(encoding="utf-8"), table), encoding="utf-8")
        print(f"Wrote the roles table into {DOC.name}.")
    else:
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
