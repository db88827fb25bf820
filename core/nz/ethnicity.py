"""Stats NZ ethnicity classification (ETHNIC05) codes and the HISO 10001:2017 recording rules."""

import re

# Sources: Stats NZ ETHNIC05; HISO 10001:2017 Ethnicity Data Protocols; the HL7NZ
# nzbase code system (https://github.com/HL7NZ/nzbase, input/fsh/vocabulary/ethnicity.fsh).

MAX_ETHNICITIES = 6
RESIDUAL_LEVEL1 = "9"

ETHNICITY_LEVEL1: dict[str, str] = {
    "1": "European",
    "2": "Māori",
    "3": "Pacific Peoples",
    "4": "Asian",
    "5": "Middle Eastern/Latin American/African",
    "6": "Other Ethnicity",
    "9": "Residual",
}

ETHNICITY_LEVEL2: dict[str, str] = {
    "10": "European nfd",
    "11": "New Zealand European",
    "12": "Other European",
    "21": "Māori",
    "30": "Pacific Peoples nfd",
    "31": "Samoan",
    "32": "Cook Islands Māori",
    "33": "Tongan",
    "34": "Niuean",
    "35": "Tokelauan",
    "36": "Fijian",
    "37": "Other Pacific Peoples",
    "40": "Asian nfd",
    "41": "Southeast Asian",
    "42": "Chinese",
    "43": "Indian",
    "44": "Other Asian",
    "51": "Middle Eastern",
    "52": "Latin American",
    "53": "African",
    "61": "Other Ethnicity",
    "94": "Don't Know",
    "95": "Refused to Answer",
    "97": "Response Unidentifiable",
    "98": "Response Outside Scope",
    "99": "Not Stated",
}

# A partial set of level-4 labels for display. Any well-formed five-digit code
# whose first two digits are a level-2 code above is accepted, labelled or not.
ETHNICITY_LEVEL4_LABELS: dict[str, str] = {
    "10000": "European nfd",
    "11111": "New Zealand European",
    "12100": "British nfd",
    "12114": "English",
    "12116": "Irish",
    "12119": "Scottish",
    "12121": "Welsh",
    "12211": "Dutch",
    "12711": "German",
    "12811": "Australian",
    "21111": "Māori",
    "30000": "Pacific Peoples nfd",
    "31111": "Samoan",
    "32100": "Cook Islands Māori nfd",
    "33111": "Tongan",
    "34111": "Niuean",
    "35111": "Tokelauan",
    "36111": "Fijian",
    "40000": "Asian nfd",
    "41111": "Filipino",
    "41311": "Vietnamese",
    "42100": "Chinese nfd",
    "43100": "Indian nfd",
    "43112": "Fijian Indian",
    "44211": "Japanese",
    "44311": "Korean",
    "51100": "Middle Eastern nfd",
    "52100": "Latin American nfd",
    "53100": "African nfd",
    "61118": "New Zealander",
    "94444": "Don't Know",
    "95555": "Refused to Answer",
    "97777": "Response Unidentifiable",
    "98888": "Response Outside Scope",
    "99999": "Not Stated",
}

ETHNICITY_LEVEL1_CHOICES: list[tuple[str, str]] = list(ETHNICITY_LEVEL1.items())
ETHNICITY_LEVEL2_CHOICES: list[tuple[str, str]] = list(ETHNICITY_LEVEL2.items())

# Prioritised ethnicity: Māori, Pacific Peoples, Asian, MELAA, Other, European, residual.
PRIORITY_ORDER: tuple[str, ...] = ("2", "3", "4", "5", "6", "1", "9")

_LEVEL4_RE = re.compile(r"[0-9]{5}")


def is_valid_ethnicity_code(code: str) -> bool:
    """Return whether code may be recorded: a level-2 code, or a level-4 code under one.

    HISO 10001:2017 asks for ethnicity at level 2 or finer, so level-1 codes
    are not accepted for recording (they are for reporting).
    """
    if not isinstance(code, str):
        return False
    if code in ETHNICITY_LEVEL2:
        return True
    return bool(_LEVEL4_RE.fullmatch(code)) and code[:2] in ETHNICITY_LEVEL2


def ethnicity_label(code: str) -> str:
    """Return the label of a level-1, level-2 or level-4 code.

    A level-4 code without a known label falls back to its level-2 label.
    Raises ValueError for an unknown code.
    """
    code = str(code).strip()
    for table in (ETHNICITY_LEVEL4_LABELS, ETHNICITY_LEVEL2, ETHNICITY_LEVEL1):
        if code in table:
            return table[code]
    if is_valid_ethnicity_code(code):
        return ETHNICITY_LEVEL2[code[:2]]
    raise ValueError(f"Unknown ethnicity code {code!r}.")


def level1_of(code: str) -> str:
    """Return the level-1 group ("1" to "6", or "9" for residual) of an ethnicity code.

    Accepts level-1, level-2 and level-4 codes; the level-1 group is the first
    digit. Raises ValueError for an unknown code.
    """
    code = str(code).strip()
    if code in ETHNICITY_LEVEL1:
        return code
    if not is_valid_ethnicity_code(code):
        raise ValueError(f"Unknown ethnicity code {code!r}.")
    return code[0]


def validate_ethnicity_codes(codes: list[str]) -> list[str]:
    """Check a person's ethnicity codes and return them stripped, in the order given.

    Per HISO 10001:2017 a person has at most 6 ethnicities, each a level-2 or
    level-4 code, with no code repeated. Raises ValueError naming the problem.
    """
    cleaned = [str(code).strip() for code in codes]
    if len(cleaned) > MAX_ETHNICITIES:
        raise ValueError(
            f"At most {MAX_ETHNICITIES} ethnicities may be recorded; {len(cleaned)} were given."
        )
    unknown = [code for code in cleaned if not is_valid_ethnicity_code(code)]
    if unknown:
        listed = ", ".join(repr(code) for code in unknown)
        raise ValueError(
            f"Unknown ethnicity code(s): {listed}. "
            "Use a level-2 (two-digit) or level-4 (five-digit) Stats NZ code."
        )
    seen: set[str] = set()
    duplicates: list[str] = []
    for code in cleaned:
        if code in seen and code not in duplicates:
            duplicates.append(code)
        seen.add(code)
    if duplicates:
        listed = ", ".join(repr(code) for code in duplicates)
        raise ValueError(f"Ethnicity code(s) recorded more than once: {listed}.")
    return cleaned


def prioritised_ethnicity(codes: list[str]) -> str | None:
    """Return the person's prioritised level-1 ethnicity, or None when there are no codes.

    Priority: Māori (2), Pacific Peoples (3), Asian (4), MELAA (5), Other (6),
    European (1), then residual (9). Prioritisation gives each person one group
    so counts add to the total; total-response counting is the alternative.
    Source: Ministry of Education "Ranking for Prioritised Reporting",
    HISO 10001:2017. Raises ValueError for an unknown code.
    """
    groups = {level1_of(code) for code in codes}
    for group in PRIORITY_ORDER:
        if group in groups:
            return group
    return None
