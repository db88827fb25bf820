"""Te reo Māori text in searches: macrons folded, so "Ngatai" finds "Ngātai".

People type names without macrons (keyboards, habit, other systems' records);
a search that needs the exact vowel misses the person. Folding happens on both
sides: the term in Python, the column in SQL (nested REPLACE, which both
SQLite and PostgreSQL have; SQLite's LOWER folds ASCII only, so capitals are
replaced too).
"""

from django.db.models import F, Value
from django.db.models.expressions import Expression
from django.db.models.functions import Replace

MACRON_VOWELS = {
    "ā": "a",
    "ē": "e",
    "ī": "i",
    "ō": "o",
    "ū": "u",
    "Ā": "A",
    "Ē": "E",
    "Ī": "I",
    "Ō": "O",
    "Ū": "U",
}
_FOLD = str.maketrans(MACRON_VOWELS)


def fold_macrons(text: str) -> str:
    """`text` with each macron vowel replaced by its plain vowel (case kept)."""
    return text.translate(_FOLD)


def macrons_folded(field: str) -> Expression:
    """A database expression: the column `field` with its macron vowels folded."""
    expression: Expression = F(field)
    for macron, plain in MACRON_VOWELS.items():
        expression = Replace(expression, Value(macron), Value(plain))
    return expression
