"""Macron folding for searches."""

from core.nz.text import fold_macrons


def test_every_macron_vowel_folds_to_its_plain_vowel_keeping_case():
    assert fold_macrons("āēīōū ĀĒĪŌŪ") == "aeiou AEIOU"


def test_text_without_macrons_is_unchanged():
    assert fold_macrons("Aroha Ngata, 42") == "Aroha Ngata, 42"
