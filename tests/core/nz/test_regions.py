"""Tests for the Stats NZ region codes."""

import pytest

from core.nz.regions import REGION_CHOICES, REGIONS, region_label


def test_sixteen_regions_and_the_area_outside_region():
    assert list(REGIONS) == [
        "01", "02", "03", "04", "05", "06", "07", "08", "09",
        "12", "13", "14", "15", "16", "17", "18", "99",
    ]  # fmt: skip
    assert list(REGIONS.items()) == REGION_CHOICES


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("01", "Northland"),
        ("06", "Hawke's Bay"),
        ("08", "Manawatū-Whanganui"),
        ("12", "West Coast"),
        ("18", "Marlborough"),
        ("99", "Area Outside Region"),
    ],
)
def test_region_label(code, label):
    assert region_label(code) == label


@pytest.mark.parametrize("code", ["10", "11", "19", "1", "00", ""])
def test_region_label_rejects_unknown_codes(code):
    with pytest.raises(ValueError, match="Unknown region code"):
        region_label(code)
