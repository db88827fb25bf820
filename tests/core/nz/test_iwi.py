"""Tests for the Stats NZ iwi classification codes and labels."""

import pytest

from core.nz.iwi import (
    IWI,
    IWI_CHOICES,
    IWI_CLASSIFICATION_VERSION,
    IWI_GROUPED_CHOICES,
    IWI_GROUPINGS,
    IWI_REGIONS,
    RESIDUAL_IWI_CODES,
    is_selectable_iwi,
    iwi_label,
)


def test_classification_version_is_2017():
    assert IWI_CLASSIFICATION_VERSION == "2017"


def test_twelve_regions_01_to_12():
    assert list(IWI_REGIONS) == [f"{n:02d}" for n in range(1, 13)]
    assert IWI_REGIONS["01"].startswith("Te Tai Tokerau/Tāmaki-makaurau")
    assert IWI_REGIONS["12"].startswith("Rēkohu/Wharekauri")


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("0104", "Ngāpuhi"),
        ("0601", "Ngāti Porou"),
        ("1109", "Ngāi Tahu / Kāi Tahu"),
        ("0302", "Ngāti Maniapoto"),
        ("0304", "Waikato"),
        ("0411", "Ngāti Tūwharetoa (ki Taupō)"),
        ("0507", "Tūhoe"),
        ("0806", "Ngāti Ruanui"),
        ("1201", "Moriori"),
        ("2001", "Tainui, iwi not named"),
        ("2002", "Te Arawa, iwi not named"),
        ("4444", "Don't Know"),
        ("9999", "Not Stated"),
    ],
)
def test_known_iwi_codes_have_their_labels(code, label):
    assert is_selectable_iwi(code)
    assert iwi_label(code) == label


def test_every_iwi_code_has_four_digits_under_a_known_heading():
    headings = IWI_REGIONS.keys() | IWI_GROUPINGS.keys()
    for code, label in IWI.items():
        assert len(code) == 4
        assert code.isdigit()
        assert code[:2] in headings
        assert label


def test_at_least_40_iwi_across_all_twelve_regions():
    regional = [code for code in IWI if code[:2] in IWI_REGIONS]
    assert len(regional) >= 40
    assert {code[:2] for code in regional} == set(IWI_REGIONS)


def test_residual_codes_are_selectable():
    assert {"4444", "5555", "7777", "8888", "9999"} == RESIDUAL_IWI_CODES
    for code in RESIDUAL_IWI_CODES:
        assert is_selectable_iwi(code)


@pytest.mark.parametrize("code", ["01", "06", "11", "12", "20", "99"])
def test_two_digit_region_and_grouping_codes_are_not_selectable(code):
    assert not is_selectable_iwi(code)
    assert iwi_label(code)


@pytest.mark.parametrize("code", ["0100", "0199", "1105", "1300", "104", "01040", "", None, 104])
def test_unknown_or_malformed_codes_are_not_selectable(code):
    assert not is_selectable_iwi(code)


def test_region_label_reads_as_a_heading():
    assert iwi_label("06") == "Te Tai Rāwhiti (East Coast) Region"
    assert iwi_label("12") == "Rēkohu/Wharekauri (Chatham Islands) Region"


@pytest.mark.parametrize("code", ["0100", "13", "1105", ""])
def test_iwi_label_rejects_unknown_codes(code):
    with pytest.raises(ValueError, match="Unknown iwi code"):
        iwi_label(code)


def test_iwi_choices_list_every_selectable_code_once():
    codes = [code for code, _ in IWI_CHOICES]
    assert codes == list(IWI)
    assert len(codes) == len(set(codes))
    assert all(is_selectable_iwi(code) for code in codes)


def test_grouped_choices_hold_the_same_codes_under_headings():
    grouped = [code for _, options in IWI_GROUPED_CHOICES for code, _ in options]
    assert grouped == list(IWI)
    headings = [heading for heading, _ in IWI_GROUPED_CHOICES]
    assert headings[0] == IWI_REGIONS["01"]
    assert IWI_GROUPINGS["20"] in headings
