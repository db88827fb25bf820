"""Casework reference data: the shipped outcome-measure instruments from fixtures/instruments/."""

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from casework.instruments import InstrumentDefinitionError, definition_check
from casework.models import Instrument

INSTRUMENTS_DIR = Path(settings.BASE_DIR) / "fixtures" / "instruments"


@transaction.atomic
def load(directory: Path = INSTRUMENTS_DIR) -> list[str]:
    """Create or refresh one Instrument per JSON file in `directory`; return their codes.

    Idempotent (run by `load_reference_data` after every migrate). Every
    definition is checked before anything is written, so a broken fixture
    raises InstrumentDefinitionError and leaves the table as it was. Past
    assessments keep the answers and scores they were recorded with.
    """
    specs = []
    for path in sorted(Path(directory).glob("*.json")):
        spec = json.loads(path.read_text(encoding="utf-8"))
        try:
            definition_check(spec["definition"])
        except (InstrumentDefinitionError, KeyError) as exc:
            raise InstrumentDefinitionError(f"{path.name}: {exc}") from exc
        specs.append(spec)
    for spec in specs:
        Instrument.objects.update_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "version": spec["version"],
                "definition": spec["definition"],
                "source": spec.get("source", ""),
            },
        )
    return [spec["code"] for spec in specs]
