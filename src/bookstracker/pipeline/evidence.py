"""The evidence the core-works filter reads: subject headings, the author's profile, findings.

Library subject headings (OpenLibrary imports them from MARC records) name a person with dates
and form subdivisions: ``King, Stephen, 1947- -- Criticism and interpretation``. `parse_heading`
splits one into the person (surname, forenames, life years) and its subdivisions; an
`AuthorProfile` says whether a heading names this author, somebody of the same name, or nobody
known. A `Finding` is one named signal with its weight for a verdict.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

import attrs

from bookstracker.models import Author
from bookstracker.names import name_key, names_match, surname_key, title_key

__all__ = [
    "AuthorProfile",
    "Finding",
    "Heading",
    "HomonymProfile",
    "birth_year",
    "parse_heading",
    "subject_words",
]

_YEARS = re.compile(r"^(?:b\.\s*|born\s+)?(\d{3,4})\??\s*-\s*(?:(\d{3,4})\??)?\.?$|^(\d{3,4})-?$")
_YEAR = re.compile(r"\b(1[0-9]{3}|20[0-9]{2})\b")
_PAREN = re.compile(r"\([^)]*\)")
_FICTITIOUS = re.compile(r"\((?:fictitious|imaginary|legendary|mythical)", re.IGNORECASE)
_TITLES = frozenset(
    {"sir", "dame", "lady", "lord", "jr", "sr", "baron", "baroness", "countess", "count"}
)
_MAX_HEADING = 300


@attrs.frozen(kw_only=True)
class Heading:
    """One subject heading: the main part, a person when it names one, and its subdivisions."""

    text: str
    main: str
    subdivisions: tuple[str, ...] = ()
    person: str | None = None
    """"Forenames Surname" when the main part has the inverted form of a personal name."""
    surname: str | None = None
    born: int | None = None
    died: int | None = None
    work_title: str | None = None
    """For a name-title heading (``Gabaldon, Diana. Outlander``), the work it is about."""

    @property
    def subdivision_keys(self) -> frozenset[str]:
        return frozenset(_fold(s) for s in self.subdivisions)

    @property
    def dated(self) -> bool:
        return self.born is not None


def _fold(text: str) -> str:
    return " ".join(text.casefold().rstrip(".").split())


@functools.lru_cache(maxsize=8192)
def parse_heading(text: str) -> Heading:
    """``"Du Maurier, Daphne, Dame, 1907-1989 -- Criticism and interpretation"`` → the person
    "Daphne Du Maurier", born 1907, died 1989, subdivision "Criticism and interpretation"."""
    text = text[:_MAX_HEADING]
    pieces = [p.strip() for p in text.split("--")]
    main, subdivisions = pieces[0], tuple(p for p in pieces[1:] if p)
    if _FICTITIOUS.search(main):
        return Heading(text=text, main=main, subdivisions=subdivisions)
    name_part, work_title = _split_name_title(_PAREN.sub("", main))
    parts = [p.strip() for p in name_part.split(",")]
    parts = [p for p in parts if p]
    born = died = None
    kept: list[str] = []
    for part in parts:
        years = _YEARS.match(part)
        if years and kept:
            born = int(years.group(1) or years.group(3))
            died = int(years.group(2)) if years.group(2) else None
            continue
        kept.append(part)
    person = surname = None
    if len(kept) >= 2 and _looks_like_name(kept[0]) and _looks_like_name(kept[1]):
        surname = kept[0]
        person = f"{kept[1]} {kept[0]}"
        extra = [p for p in kept[2:] if _fold(p) not in _TITLES]
        if extra and born is None:  # "Short stories, Japanese, English": not a person
            person = surname = None
    return Heading(
        text=text,
        main=main,
        subdivisions=subdivisions,
        person=person,
        surname=surname,
        born=born,
        died=died,
        work_title=work_title if person else None,
    )


def _split_name_title(main: str) -> tuple[str, str | None]:
    """``"Gabaldon, Diana. Outlander"`` → the name and the title of the work the heading is
    about; a heading without a title after the name comes back whole."""
    if ". " not in main:
        return main, None
    head, _, tail = main.rpartition(". ")
    if "," not in head or not tail[:1].isupper() or len(tail.split()) > 12:
        return main, None
    last = head.rsplit(",", 1)[-1].strip()
    if len(last) <= 2 or (len(last.split()[-1]) == 1 and not _YEARS.match(last)):
        return main, None  # "Le Guin, Ursula K. Earthsea": "K" is an initial, no title split
    return head, tail


def _looks_like_name(part: str) -> bool:
    words = part.split()
    return 0 < len(words) <= 4 and all(w[:1].isupper() or w[:1] in "dlv" for w in words)


_NOT_LETTERS = re.compile(r"[\W\d_]+")


def squeeze(text: str) -> str:
    """Letters only, case-folded, accents dropped: ``"Daphne du Maurier"`` → ``daphnedumaurier``."""
    folded = text.casefold()
    if not folded.isascii():
        folded = unicodedata.normalize("NFKD", folded)
        folded = "".join(c for c in folded if not unicodedata.combining(c))
    return _NOT_LETTERS.sub("", folded)


def birth_year(date: str | None) -> int | None:
    """The year in a free-text date ("January 12, 1949", "13 May 1907")."""
    if not date:
        return None
    found = _YEAR.search(date)
    return int(found.group(1)) if found else None


def subject_words(subjects: Iterable[str]) -> frozenset[str]:
    """The folded headings of ``subjects`` (whole headings, then their main parts)."""
    out: set[str] = set()
    for subject in subjects:
        folded = _fold(subject[:_MAX_HEADING])
        if folded:
            out.add(folded)
            out.add(folded.split(" -- ")[0].strip())
    return frozenset(out)


def _titles(works: Iterable[tuple[str, Sequence[str]]]) -> dict[str, frozenset[str]]:
    out: dict[str, frozenset[str]] = {}
    for title, subjects in works:
        key = title_key(title)
        if key:
            out[key] = out.get(key, frozenset()) | subject_words(subjects)
    return out


@attrs.frozen(kw_only=True)
class HomonymProfile:
    """Another author record with this author's name: a different person."""

    key: str
    birth_year: int | None
    subjects: frozenset[str]
    titles: Mapping[str, frozenset[str]] = attrs.field(factory=dict, hash=False)
    """Their works' main-title keys, each with the work's folded subjects."""


@attrs.frozen(kw_only=True)
class AuthorProfile:
    """What the filter knows of the person: names, life years, subjects, same-named others."""

    keys: frozenset[str]
    names: tuple[str, ...]
    birth_year: int | None = None
    death_year: int | None = None
    top_subjects: frozenset[str] = frozenset()
    homonyms: tuple[HomonymProfile, ...] = ()
    name_keys: frozenset[str] = attrs.field(init=False)
    surnames: frozenset[str] = attrs.field(init=False)
    _heading_cache: dict[tuple[str, int | None], bool | None] = attrs.field(
        init=False, factory=dict, eq=False, repr=False
    )

    @name_keys.default
    def _name_keys(self) -> frozenset[str]:
        return frozenset(k for k in (name_key(n) for n in self.names) if k)

    @surnames.default
    def _surnames(self) -> frozenset[str]:
        return frozenset(k for k in (surname_key(n) for n in self.names) if k)

    def may_name(self, text: str) -> bool:
        """A quick test before parsing ``text`` as a name: does it hold one of the surnames?"""
        squeezed = squeeze(text)
        return any(surname in squeezed for surname in self.surnames)

    @classmethod
    def build(
        cls,
        people: Sequence[Author],
        *,
        homonyms: Sequence[Author] = (),
        subjects: Iterable[str] = (),
        homonym_works: Mapping[str, Sequence[tuple[str, Sequence[str]]]] | None = None,
    ) -> AuthorProfile:
        """The profile of ``people`` (the person first, then pen names); ``subjects`` are every
        heading of their works, which date the person when the record has no death date."""
        names: dict[str, None] = {}
        for person in people:
            names[person.name] = None
            for alternate in person.alternate_names:
                names[alternate] = None
        first = people[0] if people else None
        born = birth_year(first.birth_date) if first else None
        died = birth_year(first.death_date) if first else None
        profile = cls(
            keys=frozenset(p.openlibrary_key for p in people if p.openlibrary_key),
            names=tuple(names),
            birth_year=born,
            death_year=died,
            top_subjects=subject_words(s for p in people for s in p.top_subjects),
            homonyms=tuple(
                HomonymProfile(
                    key=h.openlibrary_key or "",
                    birth_year=birth_year(h.birth_date),
                    subjects=subject_words(h.top_subjects),
                    titles=_titles((homonym_works or {}).get(h.openlibrary_key or "", ())),
                )
                for h in homonyms
                if h.openlibrary_key
            ),
        )
        if died is None:
            deaths: Counter[int] = Counter()
            for subject in subjects:
                heading = parse_heading(subject)
                if heading.died is not None and profile.names_heading(heading) is True:
                    deaths[heading.died] += 1
            if deaths:
                profile = attrs.evolve(profile, death_year=deaths.most_common(1)[0][0])
        return profile

    def names_heading(self, heading: Heading) -> bool | None:
        """True when the heading names this person; False when it names somebody else of this
        surname (a near-namesake, or a same-named person born another year); None otherwise."""
        if heading.person is None:
            return None
        cache_key = (heading.person, heading.born)
        if cache_key not in self._heading_cache:
            self._heading_cache[cache_key] = self._names_heading(heading)
        return self._heading_cache[cache_key]

    def is_homonym_heading(self, heading: Heading) -> bool:
        """The heading names somebody with this author's very name, born another year."""
        return (
            self.names_heading(heading) is False
            and heading.person is not None
            and any(names_match(heading.person, name) for name in self.names)
        )

    def _names_heading(self, heading: Heading) -> bool | None:
        assert heading.person is not None
        same_name = any(names_match(heading.person, name) for name in self.names)
        if same_name:
            if heading.born is not None and self.birth_year is not None:
                return abs(heading.born - self.birth_year) <= 1
            return True
        if surname_key(heading.person) in self.surnames and heading.dated:
            return False
        return None


@attrs.frozen(kw_only=True)
class Finding:
    """One named signal for a verdict (``core`` or an exclusion reason), with its weight."""

    verdict: str
    signal: str
    detail: str
    weight: float
