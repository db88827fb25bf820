"""Stats NZ iwi classification (2017), partial; the full list is in HL7NZ nzbase iwi-updated.fsh."""

# Source: https://github.com/HL7NZ/nzbase, file input/fsh/vocabulary/iwi-updated.fsh
# (version 2.0.0 of the 2017 classification, Stats NZ iwi statistical standard of
# May 2022). Stats NZ publishes the classification and is the authority. Treat this
# list as partial: it has not been checked code by code against Stats NZ, and Stats
# NZ revises the classification, so refresh it from there. Two-digit codes are
# regions or groupings for navigation and are never selectable; four-digit codes are
# iwi, iwi-related groups or residual answers. A person may affiliate with several
# iwi. Store IWI_CLASSIFICATION_VERSION with every code stored.

IWI_CLASSIFICATION_VERSION = "2017"

IWI_REGIONS: dict[str, str] = {
    "01": "Te Tai Tokerau/Tāmaki-makaurau (Northland/Auckland)",
    "02": "Hauraki (Coromandel)",
    "03": "Waikato/Te Rohe Pōtae (Waikato/King Country)",
    "04": "Te Arawa/Taupō (Rotorua/Taupō)",
    "05": "Tauranga Moana/Mātaatua (Bay of Plenty)",
    "06": "Te Tai Rāwhiti (East Coast)",
    "07": "Te Matau-a-Māui/Wairarapa (Hawke's Bay/Wairarapa)",
    "08": "Taranaki",
    "09": "Whanganui/Rangitīkei (Wanganui/Rangitīkei)",
    "10": "Manawatū/Horowhenua/Te Whanganui-a-Tara (Manawatū/Horowhenua/Wellington)",
    "11": "Te Waipounamu (South Island)",
    "12": "Rēkohu/Wharekauri (Chatham Islands)",
}

# Headings beyond the twelve regions; like regions, never selectable.
IWI_GROUPINGS: dict[str, str] = {
    "20": "Confederations and Waka, iwi not named",
    "21": "Iwi named, region not known",
    "22": "Hapū affiliated to more than one iwi",
    "23": "Region known, Iwi not named",
    "44": "Don't Know",
    "55": "Refused To Answer",
    "77": "Response Unidentifiable",
    "88": "Response Outside Scope",
    "99": "Not Stated",
}

IWI: dict[str, str] = {
    # 01 Te Tai Tokerau/Tāmaki-makaurau (Northland/Auckland)
    "0101": "Te Aupōuri",
    "0102": "Ngāti Kahu",
    "0103": "Ngāti Kurī",
    "0104": "Ngāpuhi",
    "0105": "Ngāpuhi ki Whaingaroa-Ngāti Kahu ki Whaingaroa",
    "0106": "Te Rarawa",
    "0107": "Ngāi Takoto",
    "0108": "Ngāti Wai",
    "0109": "Ngāti Whātua (not Ōrākei or Kaipara)",
    "0110": "Te Kawerau ā Maki",
    "0111": "Te Uri-o-Hau",
    "0112": "Te Roroa",
    "0113": "Ngāti Whātua o Kaipara",
    "0114": "Ngāti Whātua o Ōrākei",
    "0115": "Ngāi Tai ki Tāmaki",
    "0116": "Ngāti Hine (Te Tai Tokerau)",
    "0117": "Te Paatu",
    "0118": "Ngāti Manuhiri",
    "0119": "Ngāti Rehua",
    "0120": "Ngāti Torehina ki Mata-ure ō Hau",
    "0121": "Ngāti Kahu ki Whangaroa",
    # 02 Hauraki (Coromandel)
    "0201": "Ngāti Hako",
    "0202": "Ngāti Hei",
    "0203": "Ngāti Maru (Hauraki)",
    "0204": "Ngāti Paoa",
    "0205": "Patukirikiri",
    "0206": "Ngāti Porou ki Harataunga ki Mataora",
    "0207": "Ngāti Pūkenga ki Waiau",
    "0208": "Ngāti Rāhiri Tumutumu",
    "0210": "Ngāti Tamaterā",
    "0211": "Ngāti Tara Tokanui",
    "0212": "Ngāti Whanaunga",
    "0213": "Ngāti Huarere",
    # 03 Waikato/Te Rohe Pōtae (Waikato/King Country)
    "0301": "Ngāti Haua (Waikato)",
    "0302": "Ngāti Maniapoto",
    "0303": "Raukawa (Waikato)",
    "0304": "Waikato",
    "0305": "Ngāti Te Ata",
    "0306": "Ngāti Hīkairo",
    "0307": "Rereahu",
    "0308": "Ngāti Tiipa",
    "0309": "Ngāti Korokī Kahukura",
    "0310": "Ngāti Tamaoho",
    "0311": "Te Ākitai-Waiohua",
    "0312": "Tainui Awhiro",
    # 04 Te Arawa/Taupō (Rotorua/Taupō)
    "0401": "Ngāti Pikiao (Te Arawa)",
    "0402": "Ngāti Rangiteaorere (Te Arawa)",
    "0403": "Ngāti Rangitihi (Te Arawa)",
    "0404": "Ngāti Rangiwewehi (Te Arawa)",
    "0405": "Tapuika (Te Arawa)",
    "0406": "Ngāti Tarāwhai (Te Arawa)",
    "0407": "Tūhourangi (Te Arawa)",
    "0408": "Uenuku-Kōpako (Te Arawa)",
    "0409": "Waitaha (Te Arawa)",
    "0410": "Ngāti Whakaue (Te Arawa)",
    "0411": "Ngāti Tūwharetoa (ki Taupō)",
    "0412": "Ngāti Tahu-Ngāti Whaoa (Te Arawa)",
    "0413": "Ngāti Mākino",
    "0414": "Ngāti Kearoa / Ngāti Tuarā",
    "0415": "Ngāti Rongomai (Te Arawa)",
    # 05 Tauranga Moana/Mātaatua (Bay of Plenty)
    "0501": "Ngāti Pūkenga",
    "0502": "Ngāi Te Rangi",
    "0503": "Ngāti Ranginui",
    "0504": "Ngāti Awa",
    "0505": "Ngāti Manawa",
    "0506": "Ngāi Tai (Tauranga Moana/Mātaatua)",
    "0507": "Tūhoe",
    "0508": "Whakatōhea",
    "0509": "Te Whānau-ā-Apanui",
    "0510": "Ngāti Whare",
    "0511": "Ngā Pōtiki ā Tamapahore",
    "0512": "Te Upokorehe",
    "0513": "Ngāti Tūwharetoa ki Kawerau",
    # 06 Te Tai Rāwhiti (East Coast)
    "0601": "Ngāti Porou",
    "0602": "Te Aitanga-a-Māhaki",
    "0603": "Rongowhakaata",
    "0604": "Ngāi Tāmanuhiri",
    "0605": "Te Aitanga ā Hauiti",
    # 07 Te Matau-a-Māui/Wairarapa (Hawke's Bay/Wairarapa)
    "0701": "Rongomaiwahine (Te Māhia)",
    "0702": "Ngāti Kahungunu ki Te Wairoa",
    "0703": "Ngāti Kahungunu ki Heretaunga",
    "0704": "Ngāti Kahungunu ki Wairarapa",
    "0706": "Rangitāne (Te Matau-a-Māui/Hawke's Bay/Wairarapa)",
    "0707": "Ngāti Kahungunu ki Te Whanganui-a-Orotu",
    "0708": "Ngāti Kahungunu ki Tamatea",
    "0709": "Ngāti Kahungunu ki Tamakinui a Rua",
    "0710": "Ngāti Pāhauwera",
    "0711": "Ngāti Rākaipaaka",
    "0712": "Ngāti Hineuru",
    "0713": "Maungaharuru Tangitū",
    "0714": "Rangitāne o Tamaki nui ā Rua",
    "0715": "Ngāti Ruapani ki Waikaremoana",
    "0716": "Te Hika o Pāpāuma",
    "0717": "Ngāti Hinemanu (Heretaunga)",
    # 08 Taranaki
    "0801": "Te Atiawa (Taranaki)",
    "0802": "Ngāti Maru (Taranaki)",
    "0803": "Ngāti Mutunga (Taranaki)",
    "0804": "Ngā Rauru",
    "0805": "Ngā Ruahine",
    "0806": "Ngāti Ruanui",
    "0807": "Ngāti Tama (Taranaki)",
    "0808": "Taranaki",
    "0809": "Tangāhoe",
    "0810": "Pakakohi",
    # 09 Whanganui/Rangitīkei (Wanganui/Rangitīkei)
    "0901": "Ngāti Apa (Rangitīkei)",
    "0902": "Te Ati Haunui-a-Pāpārangi",
    "0903": "Ngāti Haua (Taumarunui)",
    "0904": "Ngāti Hauiti (Rangitīkei)",
    "0905": "Ngāti Whitikaupeka (Rangitīkei)",
    "0906": "Ngāi Te Ohuake (Rangitīkei)",
    "0907": "Ngāti Tamakōpiri (Rangitīkei)",
    "0908": "Ngāti Rangi (Ruapehu, Whanganui)",
    "0909": "Uenuku (Ruapehu, Waimarino)",
    "0910": "Tamahaki (Ruapehu, Waimarino)",
    "0911": "Tamakana (Ruapehu, Waimarino)",
    "0912": "Ngāti Hinemanu (Rangitīkei)",
    # 10 Manawatū/Horowhenua/Te Whanganui-a-Tara (Manawatū/Horowhenua/Wellington)
    "1001": "Te Atiawa (Te Whanganui-a-Tara/Wellington)",
    "1002": "Muaūpoko",
    "1003": "Rangitāne (Manawatū)",
    "1004": "Ngāti Raukawa (Horowhenua/Manawatū)",
    "1005": "Ngāti Toarangatira (Te Whanganui-a-Tara/Wellington)",
    "1006": "Te Atiawa ki Whakarongotai",
    "1007": "Ngāti Tama ki Te Upoko o Te Ika (Te Whanganui-a-Tara/Wellington)",
    "1008": "Ngāti Kauwhata",
    "1009": "Ngāti Tukorehe",
    # 11 Te Waipounamu (South Island)
    "1101": "Te Atiawa (Te Waipounamu/South Island)",
    "1102": "Ngāti Koata",
    "1103": "Ngāti Kuia",
    "1104": "Kāti Māmoe",
    "1107": "Rangitāne (Te Waipounamu/South Island)",
    "1108": "Ngāti Rārua",
    "1109": "Ngāi Tahu / Kāi Tahu",
    "1110": "Ngāti Tama ki Te Tauihu",
    "1111": "Ngāti Toarangatira (Te Waipounamu/South Island)",
    "1112": "Waitaha (Te Waipounamu/South Island)",
    "1113": "Ngāti Apa ki Te Rā Tō",
    # 12 Rēkohu/Wharekauri (Chatham Islands)
    "1201": "Moriori",
    "1202": "Ngāti Mutunga (Wharekauri/Chatham Islands)",
    # 20 Confederations and Waka, iwi not named
    "2001": "Tainui, iwi not named",
    "2002": "Te Arawa, iwi not named",
    "2003": "Tākitimu, iwi not named",
    "2004": "Aotea, iwi not named",
    "2005": "Mātaatua, iwi not named",
    "2006": "Mahuru, iwi not named",
    "2007": "Māmari, iwi not named",
    "2008": "Ngātokimatawhaorua, iwi not named",
    "2009": "Nukutere, iwi not named",
    "2010": "Tokomaru, iwi not named",
    "2011": "Kurahaupō, iwi not named",
    "2012": "Muriwhenua, iwi not named",
    "2013": "Hauraki / Pare Hauraki, iwi not named",
    "2014": "Tūranganui a Kiwa, iwi not named",
    "2015": "Te Tauihu o Te Waka a Māui, iwi not named",
    "2016": "Tauranga Moana, iwi not named",
    "2017": "Horouta, iwi not named",
    "2018": "Mōkai Pātea, iwi not named",
    # 21 Iwi named, region not known
    "2101": "Te Atiawa, region not known",
    "2102": "Ngāti Haua, region not known",
    "2103": "Ngāti Maru, region not known",
    "2104": "Ngāti Mutunga, region not known",
    "2105": "Rangitāne, region not known",
    "2106": "Ngāti Raukawa, region not known",
    "2107": "Ngāti Tama, region not known",
    "2108": "Ngāti Toa, region not known",
    "2109": "Waitaha, region not known",
    "2110": "Ngāti Apa, region not known",
    "2111": "Ngāi Tai, region not known",
    "2112": "Ngāti Kahungunu, region not known",
    "2113": "Ngāti Tūwharetoa, region not known",
    "2114": "Ngāti Hinemanu, region not known",
    # 22 Hapū affiliated to more than one iwi
    "2201": "Hapū affiliated to more than one iwi",
    # 23 Region known, Iwi not named
    "2301": "Te Tai Tokerau/Tāmaki-makaurau Region, Iwi not named",
    "2302": "Hauraki Region, Iwi not named",
    "2303": "Waikato/Te Rohe Pōtae Region, Iwi not named",
    "2304": "Te Arawa/Taupō Region, Iwi not named",
    "2305": "Tauranga Moana/Mātaatua Region, Iwi not named",
    "2306": "Te Tai Rāwhiti Region, Iwi not named",
    "2307": "Te Matau-a-Māui/Wairarapa Region, Iwi not named",
    "2308": "Taranaki Region, Iwi not named",
    "2309": "Whanganui/Rangitīkei Region, Iwi not named",
    "2310": "Manawatū/Horowhenua/Te Whanganui-a-Tara Region, Iwi not named",
    "2311": "Te Waipounamu Region, Iwi not named",
    "2312": "Rēkohu/Wharekauri Region, Imi/Iwi not named",
    # 44 Don't Know
    "4444": "Don't Know",
    # 55 Refused To Answer
    "5555": "Refused To Answer",
    # 77 Response Unidentifiable
    "7777": "Response Unidentifiable",
    # 88 Response Outside Scope
    "8888": "Response Outside Scope",
    # 99 Not Stated
    "9999": "Not Stated",
}

RESIDUAL_IWI_CODES: frozenset[str] = frozenset({"4444", "5555", "7777", "8888", "9999"})

IWI_CHOICES: list[tuple[str, str]] = list(IWI.items())


def _grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    headings = {**IWI_REGIONS, **IWI_GROUPINGS}
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, label in IWI.items():
        groups.setdefault(code[:2], []).append((code, label))
    return [(headings[prefix], options) for prefix, options in groups.items()]


# The same codes grouped under their region or grouping heading, for select widgets.
IWI_GROUPED_CHOICES: list[tuple[str, list[tuple[str, str]]]] = _grouped_choices()


def is_selectable_iwi(code: str) -> bool:
    """Return whether code may be recorded as a person's iwi affiliation.

    Only four-digit codes are selectable; two-digit region and grouping codes
    exist for navigation and must not be stored.
    """
    return isinstance(code, str) and code in IWI


def iwi_label(code: str) -> str:
    """Return the label of an iwi, region or grouping code.

    Region labels end in "Region" so they read as headings. Raises ValueError
    for a code not in the list.
    """
    if code in IWI:
        return IWI[code]
    if code in IWI_REGIONS:
        return f"{IWI_REGIONS[code]} Region"
    if code in IWI_GROUPINGS:
        return IWI_GROUPINGS[code]
    raise ValueError(f"Unknown iwi code {code!r} (classification {IWI_CLASSIFICATION_VERSION}).")
