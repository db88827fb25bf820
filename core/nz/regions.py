"""Stats NZ regional council areas (REGC): the 16 regions and the area outside region."""

REGIONS: dict[str, str] = {
    "01": "Northland",
    "02": "Auckland",
    "03": "Waikato",
    "04": "Bay of Plenty",
    "05": "Gisborne",
    "06": "Hawke's Bay",
    "07": "Taranaki",
    "08": "Manawatū-Whanganui",
    "09": "Wellington",
    "12": "West Coast",
    "13": "Canterbury",
    "14": "Otago",
    "15": "Southland",
    "16": "Tasman",
    "17": "Nelson",
    "18": "Marlborough",
    # The Chatham Islands lie outside any region.
    "99": "Area Outside Region",
}

REGION_CHOICES: list[tuple[str, str]] = list(REGIONS.items())


def region_label(code: str) -> str:
    """Return the name of a Stats NZ region code; raise ValueError for an unknown code.

    Regions are not health districts: Te Whatu Ora's districts have other boundaries.
    """
    try:
        return REGIONS[code]
    except KeyError:
        raise ValueError(f"Unknown region code {code!r}.") from None
