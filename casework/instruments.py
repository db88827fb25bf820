"""The outcome-measure scoring engine: instruments are data, scoring is one pure function.

An instrument definition (``Instrument.definition``, shipped in
fixtures/instruments/) looks like::

    {
      "prompt": "…",
      "scale": {"min": 0, "max": 5, "labels": {"0": "none", …}},
      "subscales": [{"code": "family", "label": "Family", "instructions": "…"}],
      "items": [{"code": "q1", "text": "…", "subscale": "family"}, …],
      "scores": [
        {"code": "family", "label": "…", "method": "sum", "subscale": "family"},
        {"code": "total", "label": "…", "method": "sum"},
        {"code": "mean", "label": "…", "method": "mean", "decimals": 2},
        {"code": "pou_1", "label": "…", "method": "value", "item": "pou_1"}
      ],
      "flags": [{"code": "isolation_risk", "label": "…", "score": "total",
                 "below_setting": "LSNS6_ISOLATION_CUTOFF"}],
      "review_interval_days": 90
    }

A score covers the items of its `subscale`, or those listed in `items`, or
every item. Methods: `sum` (an integer), `mean` (a decimal string rounded
half-up to `decimals` places, so no float reaches the record) and `value`
(one item's answer). A flag is true when its score is strictly below a
threshold: a literal `below`, or `below_setting`, the name of a setting read
when scoring (never from the definition) so a cut-off the literature leaves
unsettled stays configurable.
"""

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SCORE_METHODS = ("sum", "mean", "value")
# Keys of the scores dict that are not score codes.
RESERVED_SCORE_CODES = frozenset({"flags", "cutoffs"})


class InstrumentDefinitionError(ValueError):
    """An instrument definition is malformed (a fixture bug, not a user error)."""


class AnswerError(ValueError):
    """Answers that cannot be scored; `fields` maps item codes to messages."""

    def __init__(self, message: str, fields: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


def definition_check(definition: Mapping[str, Any]) -> None:
    """Raise InstrumentDefinitionError unless `definition` is one the scorer can use."""
    if not isinstance(definition, Mapping):
        raise InstrumentDefinitionError("A definition is an object.")
    scale = definition.get("scale")
    if not isinstance(scale, Mapping) or not all(
        _is_int(scale.get(bound)) for bound in ("min", "max")
    ):
        raise InstrumentDefinitionError("The scale needs integer `min` and `max`.")
    if scale["min"] >= scale["max"]:
        raise InstrumentDefinitionError("The scale's `min` must be below its `max`.")

    subscales = {s.get("code") for s in definition.get("subscales", [])}
    items = definition.get("items")
    if not isinstance(items, list) or not items:
        raise InstrumentDefinitionError("A definition needs at least one item.")
    item_codes = [item.get("code") for item in items]
    if len(set(item_codes)) != len(item_codes) or not all(
        isinstance(code, str) and code for code in item_codes
    ):
        raise InstrumentDefinitionError("Item codes must be unique, non-empty strings.")
    for item in items:
        if not item.get("text"):
            raise InstrumentDefinitionError(f"Item {item['code']} has no text.")
        if "subscale" in item and item["subscale"] not in subscales:
            raise InstrumentDefinitionError(f"Item {item['code']} names an unknown subscale.")

    score_codes: set[str] = set()
    for spec in definition.get("scores", []):
        code = spec.get("code")
        if not isinstance(code, str) or not code or code in score_codes:
            raise InstrumentDefinitionError("Score codes must be unique, non-empty strings.")
        if code in RESERVED_SCORE_CODES:
            raise InstrumentDefinitionError(f"Score code {code} is reserved.")
        if spec.get("method") not in SCORE_METHODS:
            raise InstrumentDefinitionError(f"Score {code} has an unknown method.")
        if spec["method"] == "value":
            if spec.get("item") not in item_codes:
                raise InstrumentDefinitionError(f"Score {code} names an unknown item.")
        else:
            if "subscale" in spec and spec["subscale"] not in subscales:
                raise InstrumentDefinitionError(f"Score {code} names an unknown subscale.")
            if "items" in spec and not set(spec["items"]) <= set(item_codes):
                raise InstrumentDefinitionError(f"Score {code} names an unknown item.")
            if not _covered_items(spec, definition):
                raise InstrumentDefinitionError(f"Score {code} covers no items.")
        score_codes.add(code)

    flag_codes: set[str] = set()
    for flag in definition.get("flags", []):
        code = flag.get("code")
        if not isinstance(code, str) or not code or code in flag_codes:
            raise InstrumentDefinitionError("Flag codes must be unique, non-empty strings.")
        if flag.get("score") not in score_codes:
            raise InstrumentDefinitionError(f"Flag {code} names an unknown score.")
        if ("below" in flag) == ("below_setting" in flag):
            raise InstrumentDefinitionError(f"Flag {code} needs one of below, below_setting.")
        flag_codes.add(code)

    interval = definition.get("review_interval_days")
    if interval is not None and not (_is_int(interval) and interval > 0):
        raise InstrumentDefinitionError("review_interval_days must be a positive integer.")


def answers_check(definition: Mapping[str, Any], answers: Any) -> dict[str, int]:
    """Return the answers as ``{item code: int}`` or raise AnswerError naming every bad item.

    Every item must be answered, with an integer (booleans and numeric strings
    are refused) inside the scale; unknown items are refused rather than
    dropped, so a mistyped code never silently loses an answer.
    """
    if not isinstance(answers, Mapping):
        raise AnswerError("Answers must be an object mapping item codes to values.")
    low, high = definition["scale"]["min"], definition["scale"]["max"]
    codes = [item["code"] for item in definition["items"]]
    errors: dict[str, list[str]] = {}
    for code in codes:
        if code not in answers:
            errors[code] = ["This item is required."]
            continue
        value = answers[code]
        if not _is_int(value):
            errors[code] = ["A whole number is required."]
        elif not low <= value <= high:
            errors[code] = [f"Must be between {low} and {high}."]
    for code in answers:
        if code not in codes:
            errors[str(code)] = ["Unknown item."]
    if errors:
        raise AnswerError("Some answers are missing or invalid.", errors)
    return {code: answers[code] for code in codes}


def score(
    definition: Mapping[str, Any],
    answers: Any,
    *,
    settings_overrides: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Score `answers` against `definition`; pure apart from reading named settings.

    Returns ``{<score code>: value, …, "flags": {code: bool}, "cutoffs": {code: n}}``;
    `cutoffs` records the threshold each flag was judged against, so a later
    change of setting does not make old results ambiguous. Settings named by
    `below_setting` come from `settings_overrides` when given there, else from
    Django's settings at call time. Raises AnswerError for bad answers and
    InstrumentDefinitionError for a malformed definition.
    """
    definition_check(definition)
    clean = answers_check(definition, answers)

    result: dict[str, Any] = {}
    for spec in definition.get("scores", []):
        if spec["method"] == "value":
            result[spec["code"]] = clean[spec["item"]]
            continue
        values = [clean[code] for code in _covered_items(spec, definition)]
        if spec["method"] == "sum":
            result[spec["code"]] = sum(values)
        else:
            places = Decimal(1).scaleb(-int(spec.get("decimals", 2)))
            mean = (Decimal(sum(values)) / Decimal(len(values))).quantize(places, ROUND_HALF_UP)
            result[spec["code"]] = str(mean)

    flags: dict[str, bool] = {}
    cutoffs: dict[str, Any] = {}
    for flag in definition.get("flags", []):
        cutoff = (
            flag["below"]
            if "below" in flag
            else _setting(flag["below_setting"], settings_overrides or {})
        )
        flags[flag["code"]] = Decimal(str(result[flag["score"]])) < Decimal(str(cutoff))
        cutoffs[flag["code"]] = cutoff
    result["flags"] = flags
    result["cutoffs"] = cutoffs
    return result


def _covered_items(spec: Mapping[str, Any], definition: Mapping[str, Any]) -> list[str]:
    items = definition["items"]
    if "subscale" in spec:
        return [item["code"] for item in items if item.get("subscale") == spec["subscale"]]
    if "items" in spec:
        return list(spec["items"])
    return [item["code"] for item in items]


def _setting(name: str, overrides: Mapping[str, Any]) -> Any:
    if name in overrides:
        return overrides[name]
    from django.conf import settings

    try:
        return getattr(settings, name)
    except AttributeError as exc:
        raise InstrumentDefinitionError(f"Setting {name} is not configured.") from exc


def _is_int(value: Any) -> bool:
    # bool is an int subclass; True must not score as 1.
    return isinstance(value, int) and not isinstance(value, bool)
