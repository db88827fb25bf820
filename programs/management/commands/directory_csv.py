"""Export the community directory to CSV, or import one (all-or-nothing)."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import ApplicationError
from programs.selectors.directory import organisations_for_export
from programs.services.directory import directory_csv_export, directory_csv_import


class _Operator:
    """The selectors read for staff; the command runs as the deployment's operator."""

    is_authenticated = True
    is_active = True


class Command(BaseCommand):
    help = (
        "Export the directory of organisations and services as CSV (UTF-8), or import such a "
        "file: every row is checked first and one bad row rejects the whole file."
    )

    def add_arguments(self, parser):
        parser.add_argument("direction", choices=["export", "import"])
        parser.add_argument("path", nargs="?", help="CSV file; '-' or none for stdout/stdin")

    def handle(self, *args, direction, path, **options):
        if direction == "export":
            text = directory_csv_export(organisations_for_export(_Operator()))
            if path in (None, "-"):
                sys.stdout.write(text)
            else:
                Path(path).write_text(text, encoding="utf-8")
                self.stdout.write(self.style.SUCCESS(f"Directory written to {path}."))
            return
        text = sys.stdin.read() if path in (None, "-") else Path(path).read_text("utf-8-sig")
        try:
            counts = directory_csv_import(actor=None, text=text)
        except ApplicationError as exc:
            rows = exc.fields.get("rows") or exc.fields
            details = "\n".join(f"  line {line}: {errors}" for line, errors in rows.items())
            raise CommandError(f"{exc.message}\n{details}") from exc
        summary = ", ".join(f"{name.replace('_', ' ')}: {n}" for name, n in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Directory imported ({summary})."))
