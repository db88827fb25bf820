"""The instrument scorer (pure) and the shipped instrument definitions."""

import json
from pathlib import Path

import pytest

from casework import reference_data
from casework.instruments import (
    AnswerError,
    InstrumentDefinitionError,
    definition_check,
    score,
)
from casework.models import Instrument

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "instruments"
LSNS6 = json.loads((FIXTURES / "lsns-6.json").read_text(encoding="utf-8"))["definition"]
WHANAU_ORA = json.loads((FIXTURES / "whanau-ora-self-rating.json").read_text(encoding="utf-8"))[
    "definition"
]


def lsns(q1, q2, q3, q4, q5, q6):
    return {"q1": q1, "q2": q2, "q3": q3, "q4": q4, "q5": q5, "q6": q6}


def ratings(*values):
    return {f"pou_{n}": value for n, value in enumerate(values, start=1)}


def field_errors(definition, answers):
    with pytest.raises(AnswerError) as caught:
        score(definition, answers)
    return caught.value.fields


def test_lsns6_worked_example_scores_subscales_total_and_flag():
    # Family: 3 (three or four) + 2 + 1 = 6; friends: 4 (five to eight) + 2 + 1 = 7.
    answers = lsns(3, 2, 1, 4, 2, 1)

    result = score(LSNS6, answers, settings_overrides={"LSNS6_ISOLATION_CUTOFF": 12})

    assert result["family"] == 6
    assert result["friends"] == 7
    assert result["total"] == 13
    assert result["flags"] == {"isolation_risk": False}
    assert result["cutoffs"] == {"isolation_risk": 12}


def test_lsns6_total_11_flags_isolation_risk_with_the_default_cutoff(settings):
    assert settings.LSNS6_ISOLATION_CUTOFF == 12

    result = score(LSNS6, lsns(2, 2, 2, 2, 2, 1))

    assert result["total"] == 11
    assert result["flags"]["isolation_risk"] is True


def test_lsns6_total_12_does_not_flag_with_the_default_cutoff():
    result = score(LSNS6, lsns(2, 2, 2, 2, 2, 2))

    assert result["total"] == 12
    assert result["flags"]["isolation_risk"] is False


def test_the_cutoff_setting_is_read_when_scoring(settings):
    settings.LSNS6_ISOLATION_CUTOFF = 13

    result = score(LSNS6, lsns(2, 2, 2, 2, 2, 2))

    assert result["flags"]["isolation_risk"] is True
    assert result["cutoffs"]["isolation_risk"] == 13


def test_settings_overrides_win_over_settings(settings):
    settings.LSNS6_ISOLATION_CUTOFF = 20

    result = score(LSNS6, lsns(2, 2, 2, 2, 2, 2), settings_overrides={"LSNS6_ISOLATION_CUTOFF": 6})

    assert result["flags"]["isolation_risk"] is False


def test_lsns6_extremes_score_0_and_30():
    assert score(LSNS6, lsns(0, 0, 0, 0, 0, 0))["total"] == 0
    top = score(LSNS6, lsns(5, 5, 5, 5, 5, 5))
    assert (top["family"], top["friends"], top["total"]) == (15, 15, 30)


def test_missing_items_are_each_named():
    answers = lsns(1, 1, 1, 1, 1, 1)
    del answers["q2"], answers["q6"]

    fields = field_errors(LSNS6, answers)

    assert fields == {"q2": ["This item is required."], "q6": ["This item is required."]}


@pytest.mark.parametrize("value", [6, -1, 99])
def test_out_of_range_answers_are_refused(value):
    fields = field_errors(LSNS6, lsns(1, 1, value, 1, 1, 1))

    assert fields == {"q3": ["Must be between 0 and 5."]}


@pytest.mark.parametrize("value", [True, False, "3", 2.0, None, [1]])
def test_non_integer_answers_are_refused_booleans_included(value):
    fields = field_errors(LSNS6, lsns(value, 1, 1, 1, 1, 1))

    assert fields == {"q1": ["A whole number is required."]}


def test_unknown_items_are_refused_not_dropped():
    fields = field_errors(LSNS6, {**lsns(1, 1, 1, 1, 1, 1), "q7": 3})

    assert fields == {"q7": ["Unknown item."]}


def test_answers_that_are_not_an_object_are_refused():
    with pytest.raises(AnswerError) as caught:
        score(LSNS6, [1, 2, 3, 4, 5, 0])

    assert caught.value.fields == {}
    assert "object" in caught.value.message


def test_whanau_ora_rating_scores_each_pou_and_the_mean():
    result = score(WHANAU_ORA, ratings(7, 5, 6, 8, 3, 9, 5))

    assert [result[f"pou_{n}"] for n in range(1, 8)] == [7, 5, 6, 8, 3, 9, 5]
    assert result["mean"] == "6.14"  # 43 / 7, rounded half-up to two places
    assert result["flags"] == {}


@pytest.mark.parametrize("value", [0, 11])
def test_whanau_ora_rating_outside_1_to_10_is_refused(value):
    fields = field_errors(WHANAU_ORA, ratings(5, 5, value, 5, 5, 5, 5))

    assert fields == {"pou_3": ["Must be between 1 and 10."]}


def test_whanau_ora_items_follow_the_seven_pou():
    from casework.models import Pou

    assert [item["pou"] for item in WHANAU_ORA["items"]] == Pou.values
    assert WHANAU_ORA["items"][3]["text"].endswith("te ao Māori")


def test_lsns6_fixture_carries_the_published_scale_and_subscales():
    assert [item["subscale"] for item in LSNS6["items"]] == ["family"] * 3 + ["friends"] * 3
    assert LSNS6["scale"]["labels"] == {
        "0": "none",
        "1": "one",
        "2": "two",
        "3": "three or four",
        "4": "five to eight",
        "5": "nine or more",
    }
    assert LSNS6["items"][0]["text"] == (
        "How many relatives do you see or hear from at least once a month?"
    )
    # The cut-off is named, never stored, so the setting decides it.
    assert LSNS6["flags"] == [
        {
            "code": "isolation_risk",
            "label": "Risk of social isolation",
            "score": "total",
            "below_setting": "LSNS6_ISOLATION_CUTOFF",
        }
    ]


@pytest.mark.parametrize(
    "broken",
    [
        {**LSNS6, "items": []},
        {**LSNS6, "scale": {"min": 5, "max": 0}},
        {**LSNS6, "items": [*LSNS6["items"], LSNS6["items"][0]]},
        {**LSNS6, "scores": [{"code": "total", "method": "median"}]},
        {**LSNS6, "scores": [{"code": "flags", "method": "sum"}]},
        {**LSNS6, "scores": [{"code": "x", "method": "sum", "subscale": "neighbours"}]},
        {**LSNS6, "flags": [{"code": "risk", "score": "nope", "below": 3}]},
        {**LSNS6, "flags": [{"code": "risk", "score": "total"}]},
    ],
)
def test_malformed_definitions_are_refused(broken):
    with pytest.raises(InstrumentDefinitionError):
        definition_check(broken)


def test_a_threshold_naming_an_unset_setting_is_a_definition_error():
    definition = {
        **LSNS6,
        "flags": [{"code": "risk", "score": "total", "below_setting": "NO_SUCH_SETTING"}],
    }

    with pytest.raises(InstrumentDefinitionError):
        score(definition, lsns(1, 1, 1, 1, 1, 1))


@pytest.mark.django_db
def test_reference_data_loads_both_instruments_idempotently(roles):
    before = {i.code: i.definition for i in Instrument.objects.all()}

    loaded = reference_data.load()

    assert sorted(loaded) == ["lsns-6", "whanau-ora-self-rating"]
    assert {i.code: i.definition for i in Instrument.objects.all()} == before
    lsns6 = Instrument.objects.get(code="lsns-6")
    assert lsns6.definition == LSNS6
    assert "Gerontologist 2006;46(4):503–513" in lsns6.source
    assert Instrument.objects.get(code="whanau-ora-self-rating").name == "Whānau Ora self-rating"


@pytest.mark.django_db
def test_a_broken_fixture_writes_nothing(tmp_path):
    good = json.loads((FIXTURES / "lsns-6.json").read_text(encoding="utf-8"))
    good["name"] = "Changed by a broken load"
    (tmp_path / "a.json").write_text(json.dumps(good), encoding="utf-8")
    before = {i.code: (i.name, i.definition) for i in Instrument.objects.all()}
    (tmp_path / "b.json").write_text(
        json.dumps({**good, "code": "broken", "definition": {"items": []}}), encoding="utf-8"
    )

    with pytest.raises(InstrumentDefinitionError):
        reference_data.load(tmp_path)

    assert {i.code: (i.name, i.definition) for i in Instrument.objects.all()} == before
    assert not Instrument.objects.filter(code="broken").exists()
