"""Language codes: ISO 639-1 (``"en"``) as the canonical form, MARC 21 / ISO 639-2 for the APIs.

OpenLibrary uses MARC 21 language codes (the ISO 639-2/B "bibliographic" ones, ``fre``,
``ger``, ``chi``) under ``/languages/``; ISBNdb and Google Books mostly send ISO 639-1 codes,
sometimes with a region (``en_US``, ``pt-BR``), sometimes a 639-2/T code (``fra``) or an English
name. `to_iso639_1` folds all of these to ISO 639-1.
"""

from __future__ import annotations

import functools
import unicodedata

from bookstracker._patterns import LazyPattern

__all__ = ["to_iso639_1", "to_iso639_2t", "to_marc"]

# (ISO 639-1, MARC 21 = ISO 639-2/B, ISO 639-2/T, names: English first, then native names)
_LANGUAGES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("af", "afr", "afr", ("Afrikaans",)),
    ("am", "amh", "amh", ("Amharic", "አማርኛ")),
    ("ar", "ara", "ara", ("Arabic", "العربية")),
    ("az", "aze", "aze", ("Azerbaijani", "Azeri", "Azərbaycan")),
    ("be", "bel", "bel", ("Belarusian", "Byelorussian", "Беларуская")),
    ("bg", "bul", "bul", ("Bulgarian", "Български")),
    ("bn", "ben", "ben", ("Bengali", "Bangla", "বাংলা")),
    ("bo", "tib", "bod", ("Tibetan",)),
    ("br", "bre", "bre", ("Breton", "Brezhoneg")),
    ("bs", "bos", "bos", ("Bosnian", "Bosanski")),
    ("ca", "cat", "cat", ("Catalan", "Català")),
    ("cs", "cze", "ces", ("Czech", "Čeština", "Česky")),
    ("cy", "wel", "cym", ("Welsh", "Cymraeg")),
    ("da", "dan", "dan", ("Danish", "Dansk")),
    ("de", "ger", "deu", ("German", "Deutsch")),
    ("el", "gre", "ell", ("Greek", "Modern Greek", "Ελληνικά")),
    ("en", "eng", "eng", ("English",)),
    ("eo", "epo", "epo", ("Esperanto",)),
    ("es", "spa", "spa", ("Spanish", "Castilian", "Español", "Castellano")),
    ("et", "est", "est", ("Estonian", "Eesti")),
    ("eu", "baq", "eus", ("Basque", "Euskara")),
    ("fa", "per", "fas", ("Persian", "Farsi", "فارسی")),
    ("fi", "fin", "fin", ("Finnish", "Suomi")),
    ("fo", "fao", "fao", ("Faroese", "Føroyskt")),
    ("fr", "fre", "fra", ("French", "Français")),
    ("fy", "fry", "fry", ("Frisian", "Western Frisian", "Frysk")),
    ("ga", "gle", "gle", ("Irish", "Gaelic", "Irish Gaelic", "Gaeilge")),
    ("gd", "gla", "gla", ("Scottish Gaelic", "Gàidhlig")),
    ("gl", "glg", "glg", ("Galician", "Galego")),
    ("gu", "guj", "guj", ("Gujarati", "ગુજરાતી")),
    ("he", "heb", "heb", ("Hebrew", "עברית")),
    ("hi", "hin", "hin", ("Hindi", "हिन्दी", "हिंदी")),
    ("hr", "hrv", "hrv", ("Croatian", "Hrvatski")),
    ("ht", "hat", "hat", ("Haitian", "Haitian Creole", "Kreyòl ayisyen")),
    ("hu", "hun", "hun", ("Hungarian", "Magyar")),
    ("hy", "arm", "hye", ("Armenian", "Հայերեն")),
    ("id", "ind", "ind", ("Indonesian", "Bahasa Indonesia")),
    ("is", "ice", "isl", ("Icelandic", "Íslenska")),
    ("it", "ita", "ita", ("Italian", "Italiano")),
    ("ja", "jpn", "jpn", ("Japanese", "日本語")),
    ("jv", "jav", "jav", ("Javanese",)),
    ("ka", "geo", "kat", ("Georgian", "ქართული")),
    ("kk", "kaz", "kaz", ("Kazakh", "Қазақ")),
    ("km", "khm", "khm", ("Khmer", "Central Khmer", "Cambodian")),
    ("kn", "kan", "kan", ("Kannada",)),
    ("ko", "kor", "kor", ("Korean", "한국어")),
    ("ku", "kur", "kur", ("Kurdish", "Kurdî")),
    ("ky", "kir", "kir", ("Kyrgyz", "Kirghiz")),
    ("la", "lat", "lat", ("Latin", "Latina")),
    ("lb", "ltz", "ltz", ("Luxembourgish", "Letzeburgesch", "Lëtzebuergesch")),
    ("lo", "lao", "lao", ("Lao", "Laotian")),
    ("lt", "lit", "lit", ("Lithuanian", "Lietuvių")),
    ("lv", "lav", "lav", ("Latvian", "Latviešu")),
    ("mi", "mao", "mri", ("Maori", "Māori", "Te Reo Māori")),
    ("mk", "mac", "mkd", ("Macedonian", "Македонски")),
    ("ml", "mal", "mal", ("Malayalam",)),
    ("mn", "mon", "mon", ("Mongolian", "Монгол")),
    ("mr", "mar", "mar", ("Marathi", "मराठी")),
    ("ms", "may", "msa", ("Malay", "Bahasa Melayu")),
    ("mt", "mlt", "mlt", ("Maltese", "Malti")),
    ("my", "bur", "mya", ("Burmese", "Myanmar")),
    ("ne", "nep", "nep", ("Nepali", "Nepalese", "नेपाली")),
    ("nl", "dut", "nld", ("Dutch", "Flemish", "Nederlands", "Vlaams")),
    ("nn", "nno", "nno", ("Norwegian Nynorsk", "Nynorsk")),
    ("nb", "nob", "nob", ("Norwegian Bokmål", "Bokmål")),
    ("no", "nor", "nor", ("Norwegian", "Norsk")),
    ("oc", "oci", "oci", ("Occitan",)),
    ("pa", "pan", "pan", ("Punjabi", "Panjabi", "ਪੰਜਾਬੀ")),
    ("pl", "pol", "pol", ("Polish", "Polski")),
    ("ps", "pus", "pus", ("Pashto", "Pushto")),
    ("pt", "por", "por", ("Portuguese", "Português")),
    ("qu", "que", "que", ("Quechua",)),
    ("ro", "rum", "ron", ("Romanian", "Moldavian", "Moldovan", "Română")),
    ("ru", "rus", "rus", ("Russian", "Русский")),
    ("sa", "san", "san", ("Sanskrit",)),
    ("sh", "scr", "", ("Serbo-Croatian", "Serbo-Croat", "Srpskohrvatski")),
    ("si", "sin", "sin", ("Sinhala", "Sinhalese")),
    ("sk", "slo", "slk", ("Slovak", "Slovenčina")),
    ("sl", "slv", "slv", ("Slovenian", "Slovene", "Slovenščina")),
    ("so", "som", "som", ("Somali", "Soomaali")),
    ("sq", "alb", "sqi", ("Albanian", "Shqip")),
    ("sr", "srp", "srp", ("Serbian", "Српски", "Srpski")),
    ("sv", "swe", "swe", ("Swedish", "Svenska")),
    ("sw", "swa", "swa", ("Swahili", "Kiswahili")),
    ("ta", "tam", "tam", ("Tamil", "தமிழ்")),
    ("te", "tel", "tel", ("Telugu", "తెలుగు")),
    ("tg", "tgk", "tgk", ("Tajik",)),
    ("th", "tha", "tha", ("Thai", "ไทย")),
    ("tk", "tuk", "tuk", ("Turkmen",)),
    ("tl", "tgl", "tgl", ("Tagalog", "Filipino")),
    ("tr", "tur", "tur", ("Turkish", "Türkçe")),
    ("tt", "tat", "tat", ("Tatar",)),
    ("ug", "uig", "uig", ("Uyghur", "Uighur")),
    ("uk", "ukr", "ukr", ("Ukrainian", "Українська")),
    ("ur", "urd", "urd", ("Urdu", "اردو")),
    ("uz", "uzb", "uzb", ("Uzbek", "Oʻzbek")),
    ("vi", "vie", "vie", ("Vietnamese", "Tiếng Việt")),
    ("xh", "xho", "xho", ("Xhosa", "isiXhosa")),
    ("yi", "yid", "yid", ("Yiddish", "ייִדיש")),
    ("yo", "yor", "yor", ("Yoruba", "Yorùbá")),
    ("zh", "chi", "zho", ("Chinese", "Mandarin", "中文", "汉语", "漢語")),
    ("zu", "zul", "zul", ("Zulu", "isiZulu")),
)

# Codes retired from ISO 639-1 or MARC 21 that still appear in catalogue records.
_ALIASES: dict[str, str] = {
    "iw": "he",
    "in": "id",
    "ji": "yi",
    "jw": "jv",
    "mo": "ro",
    "scc": "sr",
    "gae": "gd",
    "gag": "gl",
    "mol": "ro",
    "tag": "tl",
    "taj": "tg",
    "tar": "tt",
    "fil": "tl",
}

_ISO1: frozenset[str] = frozenset(row[0] for row in _LANGUAGES)
_TO_MARC: dict[str, str] = {row[0]: row[1] for row in _LANGUAGES}
_TO_639_2T: dict[str, str] = {row[0]: row[2] for row in _LANGUAGES if row[2]}


def _fold(text: str) -> str:
    """Casefold, drop accents and collapse spacing and hyphens, for name look-ups."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.replace("-", " ").replace("_", " ").split())


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for iso1, bib, term, names in _LANGUAGES:
        for name in names:
            lookup[_fold(name)] = iso1
        lookup[bib] = iso1
        if term:
            lookup[term] = iso1
        lookup[iso1] = iso1
    for alias, iso1 in _ALIASES.items():
        lookup.setdefault(alias, iso1)
    return lookup


_LOOKUP = _build_lookup()

_PATH_PREFIX = LazyPattern(r"^.*/")
_PARENTHESIS = LazyPattern(r"\s*[(\[].*$")
_LOCALE = LazyPattern(r"^([a-z]{2,3})(?:[-_ ][a-z0-9]{2,8})+$")


@functools.lru_cache(maxsize=4096)
def _lookup(value: str) -> str | None:
    text = _PATH_PREFIX.sub("", value.strip())
    folded = _fold(text)
    if not folded:
        return None
    found = _LOOKUP.get(folded)
    if found is None:
        without = _PARENTHESIS.sub("", folded)
        if without:
            found = _LOOKUP.get(without)
    if found is None:
        locale = _LOCALE.match(text.strip().lower())
        if locale:
            found = _LOOKUP.get(locale.group(1))
    return found or None


def to_iso639_1(value: str | None) -> str | None:
    """The ISO 639-1 code for a language in any common form, or None when unknown.

    Accepts ISO 639-1 codes (``"en"``, ``"EN"``), locale tags (``"en_US"``, ``"pt-BR"``), MARC 21
    and ISO 639-2 codes (``"eng"``, ``"fre"``, ``"fra"``), OpenLibrary keys
    (``"/languages/eng"``), and English or native names in any case and with or without accents
    (``"French"``, ``"français"``, ``"Deutsch"``). The retired MARC code ``scr``
    (Serbo-Croatian) maps to ``"sh"``. Never raises.
    """
    if not isinstance(value, str):
        return None
    return _lookup(value)


def to_marc(code: str | None) -> str | None:
    """The MARC 21 code OpenLibrary uses (``"fr"`` -> ``"fre"``), or None when unknown.

    Accepts anything `to_iso639_1` does.
    """
    iso1 = to_iso639_1(code)
    return _TO_MARC.get(iso1) if iso1 else None


def to_iso639_2t(code: str | None) -> str | None:
    """The ISO 639-2/T code (``"fr"`` -> ``"fra"``, ``"de"`` -> ``"deu"``), or None when unknown.

    Serbo-Croatian (``"sh"``) has no ISO 639-2 code and gives None. Accepts anything
    `to_iso639_1` does.
    """
    iso1 = to_iso639_1(code)
    return _TO_639_2T.get(iso1) if iso1 else None
