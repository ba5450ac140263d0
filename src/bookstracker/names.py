"""Matching keys for person names and book titles.

The same person or book, as spelt by different providers, gets the same key; different ones
keep different keys. Every function is pure, total on any ``str`` and cached.

Person names (`name_key`, `names_match`, `display_name`, `split_authors`)
    * Decorations are dropped: ISBNdb's ``~autofilled~``, anything in parentheses or brackets
      (``(Author)``, ``(1694-1778)``), numbers and dates (``Twain, Mark, 1835-1910``), leading
      ``by``/``edited by``, role parts after a comma (``, editor``), degrees (``Ph.D.``,
      ``PhD``, ``Esq.``; ``M.D.``-style ones only after a second comma), and leading
      honorifics (``Dr.``, ``Sir``, ``Prof.``) in keys (`display_name` keeps honorifics).
    * ``Last, First`` is inverted only when the part after the comma looks like given names or
      initials (one to four words of letters): ``Rowling, J.K.`` and ``Nelson, Bob, Ph.D.``
      are inverted, ``Martin Luther King, Jr.`` is not.
    * Generational suffixes (``Jr.``, ``Sr.``, ``II``, ``III``, ``IV``) are part of a person's
      identity: they stay in the key, at the end (``martin luther king jr``).
    * Letters are transliterated with anyascii and lower-cased, digits and other symbols
      dropped (a key holds ASCII letters and spaces only); hyphens split words
      (``Jean-Paul`` = ``Jean Paul``); apostrophes join them (``O'Brien`` = ``OBrien``).
    * Initials: ``J.K.``, ``J. K.``, ``JK`` and ``J K`` are all ``j k``. An undotted clump
      counts as initials when it is a given name (not the surname) of two or three letters
      with no vowel (``JK``, ``JRR``), or of two capitals in a name that is not all capitals
      (``AJ Finn``).
    * Particles (``le``, ``van``, ``de la`` ...) are joined to the word after them, so
      ``Ursula K. Le Guin`` = ``Ursula K. LeGuin`` = ``Le Guin, Ursula K.`` (``ursula k
      leguin``). A particle that starts a name is read as a given name (``Van Morrison``,
      ``Da Chen``) and is not joined; a particle ending an inverted given part moves to the
      surname (``Beethoven, Ludwig van`` = ``Ludwig van Beethoven``).
    * Consecutive repeated words are collapsed (OpenLibrary's ``Voltaire Voltaire``).
    * The surname (`surname_key`) is the last key word once particles are joined:
      ``leguin``, ``marquez`` for ``Gabriel García Márquez`` and for ``García Márquez,
      Gabriel`` alike, because the direct form cannot tell a second surname from a middle name.

Titles (`title_key`, `title_key_full`, `title_similarity`, `volume_marker`)
    * Case, accents, punctuation, spacing and ``&``/``and`` do not matter.
    * A leading article (English ``the a an``, French ``le la les l' un une``, German ``der
      die das ein eine``, Spanish ``el los las una``, Italian ``il lo gli uno``) is dropped,
      and so is a trailing English one (catalogue inversions: ``Martian, The``).
    * `title_key` drops the subtitle after ``: ``, ``; `` or a spaced dash; `title_key_full`
      keeps it.
    * Anything in parentheses or brackets is dropped: series markers ``(The Expanse, #1)``,
      edition notes ``(Movie Tie-In)`` and OpenLibrary's split-work markers ``[1/2]``, which
      `volume_marker` exposes instead. A trailing ``... Edition`` phrase is dropped too.
    * No synonyms: ``Philosopher's Stone`` and ``Sorcerer's Stone`` stay different.
"""

from __future__ import annotations

import functools
import re
import unicodedata

import attrs

from bookstracker._patterns import LazyPattern

__all__ = [
    "display_name",
    "name_key",
    "name_tokens",
    "names_match",
    "split_authors",
    "surname_key",
    "title_key",
    "title_key_full",
    "title_similarity",
    "to_ascii",
    "volume_marker",
]

_CACHE_SIZE = 65_536

_PARTICLES = frozenset(
    {
        "al", "ben", "bin", "da", "das", "de", "degli", "dei", "del", "della", "delle", "den",
        "der", "des", "di", "do", "dos", "du", "el", "ibn", "la", "le", "les", "saint", "st",
        "ste", "ten", "ter", "van", "vom", "von", "zu", "zum", "zur",
    }
)  # fmt: skip
_LOWERCASE_PARTICLES = frozenset({"da", "de", "del", "della", "der", "di", "du", "van", "von"})
_HONORIFICS = frozenset(
    {"dame", "dr", "hon", "miss", "mlle", "mme", "mr", "mrs", "ms", "mx", "prof", "professor",
     "rev", "revd", "reverend", "sir"}
)  # fmt: skip
_SUFFIXES = {"jr": "jr", "jnr": "jr", "sr": "sr", "snr": "sr", "ii": "ii", "iii": "iii", "iv": "iv"}
_SUFFIX_DISPLAY = {"jr": "Jr.", "sr": "Sr.", "ii": "II", "iii": "III", "iv": "IV"}
_DEGREES = frozenset(
    {"cbe", "dds", "dlitt", "dmd", "dmin", "dphil", "dvm", "edd", "esq", "frs", "frsl", "kbe",
     "litd", "llb", "lld", "llm", "mba", "mbe", "mfa", "mphil", "msc", "bsc", "obe", "phd",
     "psyd", "thd"}
)  # fmt: skip
_TRAILING_DEGREES = frozenset({"phd", "dphil", "esq"})
_SHORT_DEGREES = frozenset({"ba", "bs", "dd", "jd", "ma", "md", "ms", "rn"})
_ROLES = frozenset(
    {"adapter", "afterword", "annotator", "artist", "author", "authors", "compiler", "contributor",
     "creator", "editor", "editors", "foreword", "illustrator", "illustrations", "introduction",
     "joint", "narrator", "others", "photographer", "preface", "reader", "translator", "writer"}
)  # fmt: skip
_ROLE_ABBREVIATIONS = frozenset(
    {"al", "and", "aut", "comp", "comps", "ed", "eds", "edt", "et", "ill", "illus", "intro",
     "narr", "pref", "tr", "trans", "transl", "trl"}
)  # fmt: skip
_VOWELS = frozenset("aeiouy")

_DECORATION = LazyPattern(r"~[^~]*~")
_BRACKETED = LazyPattern(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}")
_UNCLOSED = LazyPattern(r"[(\[{].*$", re.DOTALL)
_STRAY_BRACKETS = LazyPattern(r"[()\[\]{}]")
_APOSTROPHES = LazyPattern(r"[\u2018\u2019\u02bc\u00b4`]")
_ROLE_PREFIX = LazyPattern(
    r"^(?:(?:with\s+)?(?:an?\s+)?(?:new\s+)?"
    r"(?:written|edited|translated|illustrated|compiled|selected|introduced|adapted|retold|"
    r"narrated|read|foreword|introduction|afterword|preface|notes|pictures|drawings|"
    r"photographs|illustrations)\s+(?:and\s+\w+\s+)?)?by\s+",
    re.IGNORECASE,
)
_DATE_MARKER = LazyPattern(r"\b(?:b|d|fl|ca|c|born|died|active)\.?\s*(?=\d)", re.IGNORECASE)
_WITH_DIGIT = LazyPattern(r"\S*\d\S*")
_HAS_DIGIT = LazyPattern(r"\d")
_WORD_SPLIT = LazyPattern(r"[\s\-\u2010-\u2015/_.]+")
_NOT_ALNUM = LazyPattern(r"[^a-z0-9]+", re.IGNORECASE)
_ALNUM = LazyPattern(r"[a-z0-9]", re.IGNORECASE)
_NOT_ALPHA = LazyPattern(r"[^a-z]+", re.IGNORECASE)
_GIVEN_WORD = LazyPattern(r"^[^\W\d_](?:[^\W\d_]|['.\-])*$")
_SPACES = LazyPattern(r"\s+")


def to_ascii(text: str) -> str:
    """``text`` transliterated to ASCII by anyascii (loaded on the first non-ASCII text)."""
    if text.isascii():
        return text
    from anyascii import anyascii

    return anyascii(text)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _fold_word(text: str) -> str:
    """The lower-case ASCII letters of ``text`` only."""
    return _NOT_ALPHA.sub("", to_ascii(text)).lower()


def _nfkc(text: str) -> str:
    if text.isascii():
        return text.replace("`", "'") if "`" in text else text
    return _APOSTROPHES.sub("'", unicodedata.normalize("NFKC", text))


def _drop_brackets(text: str) -> str:
    if _STRAY_BRACKETS.search(text) is None:
        return text
    previous = None
    while previous != text:
        previous = text
        text = _BRACKETED.sub(" ", text)
    return _STRAY_BRACKETS.sub(" ", _UNCLOSED.sub(" ", text))


def _strip_decorations(name: str) -> str:
    """Drop ISBNdb decorations, bracketed notes, leading role phrases and dates."""
    text = _nfkc(name)
    if "~" in text:
        text = _DECORATION.sub(" ", text)
    text = _ROLE_PREFIX.sub("", _drop_brackets(text).strip())
    if _HAS_DIGIT.search(text):
        text = _WITH_DIGIT.sub(" ", _DATE_MARKER.sub("", text))
    return _SPACES.sub(" ", text.replace(";", ",")).strip(" ,")


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _part_words(part: str) -> tuple[str, ...]:
    return tuple(w for w in (_fold_word(t) for t in _WORD_SPLIT.split(part)) if w)


def _is_suffix(part: str) -> bool:
    words = _part_words(part)
    return len(words) == 1 and words[0] in _SUFFIXES


def _is_junk(part: str, index: int) -> bool:
    """Whether a comma part after the first is a role, degree or date rather than a name."""
    if any(c.isdigit() for c in part):
        return True
    compact = _fold_word(part)
    single = len(part.split()) == 1
    if single and (compact in _DEGREES or (index >= 2 and compact in _SHORT_DEGREES)):
        return True
    words = _part_words(part)
    if not words:
        return True
    if index >= 2:
        return all(w in _ROLES or w in _ROLE_ABBREVIATIONS for w in words)
    return all(w in _ROLES for w in words) or words in (("et", "al"), ("and", "others"))


def _is_given_like(part: str) -> bool:
    """One to four words of letters (with dots, hyphens, apostrophes): given names or initials."""
    tokens = part.split()
    return 1 <= len(tokens) <= 4 and all(_GIVEN_WORD.match(t) for t in tokens)


def _is_initials_only(part: str) -> bool:
    words = [w for w in _WORD_SPLIT.split(part) if w]
    return bool(words) and all(len(_fold_word(w)) <= 1 for w in words)


def _is_honorific(token: str) -> bool:
    return _fold_word(token) in _HONORIFICS


def _is_trailing_degree(token: str, count: int) -> bool:
    compact = _fold_word(token)
    if compact in _TRAILING_DEGREES:
        return True
    if "." not in token:
        return False
    return compact in _DEGREES or (count >= 3 and compact in _SHORT_DEGREES)


@attrs.frozen(kw_only=True)
class _Name:
    """A name split into display tokens and key tokens."""

    honorifics: tuple[str, ...]
    given: tuple[str, ...]
    surname: tuple[str, ...]
    suffix: str | None
    key_given: tuple[str, ...]
    key_surname: str
    all_caps: bool

    @property
    def key_tokens(self) -> tuple[str, ...]:
        tokens = (*self.key_given, self.key_surname) if self.key_surname else self.key_given
        return (*tokens, self.suffix) if self.suffix else tokens


_TERMINAL_PERIOD = LazyPattern(r"(?<=[^\W\d_]{4})\.$")


def _drop_terminal_period(part: str) -> str:
    """``Margaret.`` -> ``Margaret`` (a catalogue's closing period); ``J.K.``, ``Prof.`` stay."""
    last = part.rsplit(" ", 1)[-1]
    if last.count(".") != 1 or _fold_word(last) in _HONORIFICS:
        return part
    return _TERMINAL_PERIOD.sub("", part)


def _repeats(previous: str, token: str) -> bool:
    folded = _fold_word(token)
    return len(folded) > 1 and _fold_word(previous) == folded


def _dedupe(tokens: list[str]) -> list[str]:
    """Collapse consecutive repeated words (OpenLibrary's ``Voltaire Voltaire``)."""
    kept: list[str] = []
    for token in tokens:
        if not (kept and _repeats(kept[-1], token)):
            kept.append(token)
    return kept


def _split_structure(cleaned: str) -> tuple[list[str], list[str], list[str], str | None]:
    """(honorifics, given tokens, surname tokens, suffix) in original spelling."""
    parts = [_drop_terminal_period(p.strip()) for p in cleaned.split(",")]
    parts = [p for p in parts if p]
    suffix: str | None = None
    real: list[str] = []
    for index, part in enumerate(parts):
        if index and _is_suffix(part):
            suffix = _SUFFIXES[_part_words(part)[0]]
        elif index == 0 or not _is_junk(part, index):
            real.append(part)
    given: list[str]
    surname: list[str]
    if len(real) == 2 and _is_given_like(real[1]):
        given, surname = real[1].split(), real[0].split()
        while len(given) > 1 and _is_suffix(given[-1]):
            suffix = _SUFFIXES[_part_words(given.pop())[0]]
    else:
        given = " ".join(real).split()
        surname = given[-1:]
        del given[-1:]
        while given:
            last = surname[0]
            if _is_suffix(last) and suffix is None:
                suffix = _SUFFIXES[_part_words(last)[0]]
            elif not _is_trailing_degree(last, len(given) + 1):
                break
            surname = [_drop_terminal_period(given.pop())]
    given, surname = _dedupe(given), _dedupe(surname)
    if given and _repeats(given[-1], surname[0]):
        given.pop()
    honorifics: list[str] = []
    while given and _is_honorific(given[0]):
        honorifics.append(given.pop(0))
    while len(given) > 1 and _fold_word(given[-1]) in _PARTICLES:
        surname.insert(0, given.pop())
    return honorifics, given, surname, suffix


def _initial_clump(word: str, all_caps: bool) -> bool:
    if not (2 <= len(word) <= 3 and word.isalpha()):
        return False
    if not _VOWELS.intersection(word.lower()):
        return True
    return len(word) == 2 and word.isupper() and not all_caps


def _key_words(tokens: list[str], all_caps: bool, initials: bool) -> list[str]:
    words: list[str] = []
    for token in tokens:
        for piece in _WORD_SPLIT.split(to_ascii(token).replace("'", "")):
            ascii_piece = _NOT_ALPHA.sub("", piece)
            if not ascii_piece:
                continue
            if initials and _initial_clump(ascii_piece, all_caps):
                words.extend(ascii_piece.lower())
            else:
                words.append(ascii_piece.lower())
    return words


def _join_particles(words: list[str]) -> list[str]:
    joined: list[str] = []
    pending = ""
    for index, word in enumerate(words):
        if 0 < index < len(words) - 1 and (pending + word in _PARTICLES or word in _PARTICLES):
            pending += word
            continue
        joined.append(pending + word)
        pending = ""
    return joined


def _is_all_caps(text: str) -> bool:
    letters = to_ascii(text)
    return letters.upper() == letters and letters.lower() != letters


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _parse_name(name: str) -> _Name:
    cleaned = _strip_decorations(name)
    if not _part_words(cleaned):
        cleaned = _SPACES.sub(" ", _STRAY_BRACKETS.sub(" ", _DECORATION.sub(" ", _nfkc(name))))
        cleaned = cleaned.strip()
    honorifics, given, surname, suffix = _split_structure(cleaned)
    all_caps = _is_all_caps(cleaned)
    words = _key_words(given, all_caps, initials=True)
    surname_words = _key_words(surname, all_caps, initials=False)
    joined = _join_particles(words + surname_words)
    if not joined and honorifics:
        joined = _join_particles(_key_words(honorifics, all_caps, initials=False))
    return _Name(
        honorifics=tuple(honorifics),
        given=tuple(given),
        surname=tuple(surname),
        suffix=suffix,
        key_given=tuple(joined[:-1]),
        key_surname=joined[-1] if joined else "",
        all_caps=all_caps,
    )


def _parse(name: str) -> _Name:
    return _parse_name(name if isinstance(name, str) else "")


def name_key(name: str) -> str:
    """The canonical matching key of a person's name (``"j k rowling"``); ``""`` if none.

    See the module docstring for the rules.
    """
    return " ".join(_parse(name).key_tokens)


def name_tokens(name: str) -> tuple[str, ...]:
    """The words of `name_key`, in order."""
    return _parse(name).key_tokens


def surname_key(name: str) -> str:
    """The surname word of `name_key`, for fallback matching (``"leguin"``, ``"marquez"``)."""
    return _parse(name).key_surname


def _compatible(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1:
        return b.startswith(a)
    return len(b) == 1 and a.startswith(b)


def _given_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if not short or not _compatible(short[0], long[0]):
        return False
    position = 1
    for word in short[1:]:
        while position < len(long) and not _compatible(word, long[position]):
            position += 1
        if position == len(long):
            return False
        position += 1
    return True


def names_match(a: str, b: str) -> bool:
    """Whether two spellings plausibly name the same person.

    True when the keys are equal; otherwise the surnames must be equal, the generational
    suffixes must not conflict (a missing one is compatible: ``Kurt Vonnegut`` matches ``Kurt
    Vonnegut Jr.``), and the given names must be compatible: the first ones agree (equal, or an
    initial and a name starting with it) and the other words of the shorter list agree, in
    order, with words of the longer one. Missing middle names are compatible, so
    ``J. Rowling``, ``J.K. Rowling`` and ``Joanne K. Rowling`` all match ``Joanne Rowling``,
    while ``K. Rowling`` does not. A surname alone (``Tolkien``) matches only its own key.
    """
    first, second = _parse(a), _parse(b)
    if first.key_surname and first.key_tokens == second.key_tokens:
        return True
    if not first.key_surname or first.key_surname != second.key_surname:
        return False
    if first.suffix and second.suffix and first.suffix != second.suffix:
        return False
    return _given_compatible(first.key_given, second.key_given)


def _capitalize(token: str) -> str:
    out: list[str] = []
    start = True
    for char in token.lower():
        out.append(char.upper() if start else char)
        start = not char.isalpha()
    return "".join(out)


def _display_token(token: str, parsed: _Name, lowercase_name: bool, first: bool) -> str:
    letters = _NOT_ALPHA.sub("", to_ascii(token))
    if lowercase_name:
        if not first and letters in _LOWERCASE_PARTICLES:
            return token
        if letters and _initial_clump(letters, all_caps=True):
            return token.upper()
        return _capitalize(token)
    if token.isupper() and len(letters) > 1 and "." not in token:
        if _initial_clump(letters, parsed.all_caps) and token not in parsed.surname:
            return token
        return _capitalize(token)
    return token


def display_name(name: str) -> str:
    """A readable ``First Last`` form keeping accents: ``ATWOOD, Margaret`` -> ``Margaret Atwood``.

    Decorations, dates, roles and degrees are dropped; honorifics and generational suffixes stay.
    """
    return _display_name(name if isinstance(name, str) else "")


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _display_name(name: str) -> str:
    parsed = _parse_name(name)
    tokens = [*parsed.honorifics, *parsed.given, *parsed.surname]
    lowercase_name = not any(c.isupper() for c in "".join(tokens))
    shown = [
        _display_token(token, parsed, lowercase_name, index == 0)
        for index, token in enumerate(tokens)
    ]
    if parsed.suffix:
        shown.append(_SUFFIX_DISPLAY[parsed.suffix])
    return " ".join(shown)


_AUTHOR_SEPARATORS = LazyPattern(r"\s*(?:[;|/\n]|\s(?:and|&|with)\s|&)\s*", re.IGNORECASE)
_ET_AL = LazyPattern(r"\bet\.?\s+al\b\.?|\band\s+others\b", re.IGNORECASE)


def _is_surname_like(part: str) -> bool:
    words = part.split()
    plain = [w for w in words if _fold_word(w) not in _PARTICLES]
    return (len(words) == 1 or (len(words) <= 4 and len(plain) == 1)) and _is_given_like(part)


def _top_level_parts(piece: str) -> list[str]:
    """``piece`` split on the commas that are outside parentheses and brackets."""
    parts: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(piece):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            parts.append(piece[start:index])
            start = index + 1
    parts.append(piece[start:])
    return [p.strip() for p in parts if p.strip()]


def _split_commas(piece: str) -> list[str]:
    parts = _top_level_parts(piece)
    bare = [_SPACES.sub(" ", _drop_brackets(p)).strip() for p in parts]
    names: list[list[str]] = []
    real_count = sum(1 for i, p in enumerate(bare) if i == 0 or not _is_junk(p, min(i, 2)))
    index = 0
    while index < len(parts):
        part = bare[index]
        if names and (_is_suffix(part) or _is_junk(part, 2)):
            names[-1].append(parts[index])
            index += 1
            continue
        following = bare[index + 1] if index + 1 < len(parts) else None
        inverted = (
            following is not None
            and _is_given_like(following)
            and not _is_suffix(following)
            and not _is_junk(following, 1)
            and (
                _is_surname_like(part)
                or (
                    real_count == 2
                    and len(part.split()) <= 3
                    and (_is_initials_only(following) or len(following.split()) == 1)
                )
            )
        )
        if inverted:
            names.append(parts[index : index + 2])
            index += 2
        else:
            names.append([parts[index]])
            index += 1
    return [", ".join(name) for name in names]


def split_authors(text: str) -> list[str]:
    """The names in a joined author string, each as written.

    Splits on ``;``, ``/``, ``|``, new lines, ``and``, ``&`` and ``with``, then on commas,
    keeping an inverted name together: a comma part that is one surname (with particles)
    followed by a given-name-like part is one name (``Gaiman, Neil; Pratchett, Terry``,
    ``King, Stephen``), as is a two-part string whose second part is initials or one word
    (``García Márquez, Gabriel``). Dates, roles and ``Jr.`` after a comma stay with their name.
    Leading role phrases (``translated by``) and ``et al.`` are dropped.
    """
    if not isinstance(text, str):
        return []
    cleaned = _ET_AL.sub(" ", _DECORATION.sub(" ", _nfkc(text)))
    names: list[str] = []
    for piece in _AUTHOR_SEPARATORS.split(cleaned):
        piece = _ROLE_PREFIX.sub("", _SPACES.sub(" ", piece).strip(" ,")).strip(" ,")
        if not piece:
            continue
        for name in _split_commas(piece):
            name = name.strip(" ,")
            if any(c.isalpha() for c in _drop_brackets(name)):
                names.append(name)
    return names


_SUBTITLE = LazyPattern(r"\s*(?::(?=\s|$)|\s:|;\s|\s[-\u2010-\u2015]{1,2}\s|\s--)\s*")
_TRAILING_ARTICLES = frozenset({"the", "a", "an"})
_LEADING_ELISION = LazyPattern(r"^l'(?=[^\W\d_])", re.IGNORECASE)
_ARTICLES = frozenset(
    {"a", "an", "das", "der", "die", "ein", "eine", "el", "gli", "il", "la", "las", "le", "les",
     "lo", "los", "the", "un", "una", "une", "uno"}
)  # fmt: skip
_EDITION = LazyPattern(
    r"\s(?:\d+(?:st|nd|rd|th)\s+)?(?:(?:anniversary|illustrated|deluxe|collectors?|special|"
    r"revised|expanded|updated|unabridged|abridged|annotated|gift|library|mass market|"
    r"movie tie in|film tie in|media tie in|tv tie in|tie in|international|export|"
    r"large print|reprint|first|second|third|new|definitive|complete|critical|"
    r"paperback|hardcover)\s+)+edition$"
    r"|\s(?:movie|film|media|tv) tie in$"
)
_EDITION_ENDINGS = ("edition", " tie in")  # every _EDITION match ends the text with one of these


def _title_words(text: str) -> str:
    text = _LEADING_ELISION.sub("", text.strip())
    text = to_ascii(text.replace("&", " and ")).lower().replace("'", "")
    words = _NOT_ALNUM.sub(" ", text).split()
    while True:
        before = len(words)
        if len(words) > 1 and words[-1] in _TRAILING_ARTICLES:
            words.pop()
        if len(words) > 1 and words[0] in _ARTICLES:
            words.pop(0)
        joined = " ".join(words)
        if joined.endswith(_EDITION_ENDINGS):
            words = _EDITION.sub("", joined).split()
        if len(words) == before:
            return " ".join(words)


def _title_text(title: str) -> str:
    text = _nfkc(title)
    without = _drop_brackets(text)
    return without if _ALNUM.search(to_ascii(without)) else _STRAY_BRACKETS.sub(" ", text)


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _title_key_full(title: str) -> str:
    return _title_words(_SUBTITLE.sub(" ", _title_text(title)))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _title_key(title: str) -> str:
    text = _title_text(title)
    main = _SUBTITLE.split(text, maxsplit=1)[0]
    key = _title_words(main)
    return key if key else _title_words(_SUBTITLE.sub(" ", text))


def title_key(title: str) -> str:
    """The canonical matching key of a book title, without subtitle: ``"martian"``.

    See the module docstring for the rules.
    """
    return _title_key(title) if isinstance(title, str) else ""


def title_key_full(title: str) -> str:
    """Like `title_key` but keeping the subtitle, for works that differ only by it."""
    return _title_key_full(title) if isinstance(title, str) else ""


def title_similarity(a: str, b: str) -> float:
    """How alike two titles are, 0 to 100, comparing their `title_key`s.

    Uses rapidfuzz's ``token_sort_ratio``: word order does not matter (catalogues reorder
    words), but extra words cost, unlike ``WRatio`` and ``partial_ratio``, which score ``Dune``
    against ``Dune Messiah`` at 90 and would merge the books of a series. Empty keys score 0.
    """
    first, second = title_key(a), title_key(b)
    if not first or not second:
        return 0.0
    if first == second:
        return 100.0
    from rapidfuzz import fuzz  # 47 modules: loaded when two titles first need a fuzzy score

    return float(fuzz.token_sort_ratio(first, second, processor=None))


_VOLUME_OF = LazyPattern(r"[\[(]\s*(\d{1,3})\s*(?:/|of)\s*(\d{1,3})\s*[\])]", re.IGNORECASE)
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}  # fmt: skip
_ROMAN = {"i": 1, "v": 5, "x": 10}
_VOLUME_WORD = LazyPattern(
    r"\b(vol(?:ume)?|part|pt|tome|band|bd)\b\.?\s*"
    r"(\d{1,4}|x{0,2}(?:ix|iv|v?i{1,3}|v)|x{1,2}|" + "|".join(_NUMBER_WORDS) + r")(?![\w])",
    re.IGNORECASE,
)
_VOLUME_KIND = {"vol": "vol", "volume": "vol", "part": "part", "pt": "part", "tome": "tome"}


def _roman(text: str) -> int:
    total = 0
    values = [_ROMAN[c] for c in text]
    for index, value in enumerate(values):
        following = values[index + 1] if index + 1 < len(values) else 0
        total += -value if value < following else value
    return total


def volume_marker(title: str) -> str | None:
    """The volume or part a title names, or None: ``"1/2"`` for OpenLibrary's ``[1/2]``,
    ``"vol 2"`` for ``Vol. II``, ``"part 1"`` for ``(Part One)``.

    Series numbers (``(The Expanse, #1)``, ``Book 1``) are not volume markers.
    """
    if not isinstance(title, str):
        return None
    text = _nfkc(title)
    match = _VOLUME_OF.search(text)
    if match:
        return f"{int(match.group(1))}/{int(match.group(2))}"
    word = _VOLUME_WORD.search(text)
    if not word:
        return None
    kind = _VOLUME_KIND.get(word.group(1).lower(), "band")
    number = to_ascii(word.group(2)).lower()
    if number.isdigit():
        value = int(number)
    elif number in _NUMBER_WORDS:
        value = _NUMBER_WORDS[number]
    else:
        value = _roman(number)
    return f"{kind} {value}"
