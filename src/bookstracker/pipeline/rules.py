"""The core-works filter's evidence rules: each reads one kind of signal and names it.

A rule takes one work and the author's profile and returns `Finding`s: a verdict (``core`` or
an exclusion reason), the signal's name, the words a person would use, and a weight between 0
and 1 (how strongly this signal alone supports the verdict). No rule knows particular titles;
each reads a bibliographic convention: subject headings and their form subdivisions, the title
naming the author, printed-music and game headings, same-named people's subject profiles.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence

import attrs

from bookstracker.names import name_key, title_key
from bookstracker.pipeline.evidence import (
    AuthorProfile,
    Finding,
    Heading,
    parse_heading,
    subject_words,
)

__all__ = [
    "RULES",
    "WorkSignals",
    "anthology",
    "heading_about_author",
    "homonym_profile",
    "homonym_same_title",
    "life_years",
    "printed_music",
    "selection_title",
    "tie_in",
    "title_names_author",
    "translated_by_author",
]

COMPANION_SUBDIVISIONS = frozenset(
    {
        "criticism and interpretation",
        "handbooks, manuals, etc",
        "adaptations",
        "film adaptations",
        "television adaptations",
        "characters",
        "study guides",
        "examinations, questions, etc",
        "dictionaries",
        "concordances",
        "encyclopedias",
        "parodies, imitations, etc",
        "quotations",
        "miscellanea",
        "cookbooks",
        "cooking",
        "motion picture music",
        "scores",
        "appreciation",
        "bibliography",
        "knowledge",
        "language",
        "settings",
        "stories, plots, etc",
        "pictorial works",
        "influence",
        "political and social views",
        "religion",
        "philosophy",
        "technique",
        "style",
        "symbolism",
        "themes, motives",
        "sources",
        "illustrations",
        "exhibitions",
    }
)
"""Form subdivisions after the author's own name that mark a book about their work."""
BIOGRAPHY_SUBDIVISIONS = frozenset(
    {"biography", "friends and associates", "death and burial", "last years", "interviews"}
)
LIFE_SUBDIVISIONS = frozenset({"childhood and youth", "family", "marriage", "homes and haunts"})
"""A life or a memoir alike: a life of the author only beside a biography heading."""
OWN_LIFE_SUBJECTS = frozenset({"autobiography", "autobiographies", "diaries", "memoirs"})
ANTHOLOGY_SUBJECTS = frozenset({"anthologies"})
MUSIC_SUBJECTS = frozenset(
    {"scores", "vocal scores", "part songs", "choruses", "carols", "songs", "hymns", "anthems"}
)
GAME_SUBJECTS = frozenset({"role playing", "fantasy games", "games", "puzzles", "coloring books"})
TIE_IN_SUBJECTS = frozenset({"sequels", "pastiches", "fan fiction"})
SELECTION_PATTERN = _SELECTION = re.compile(
    r"\b(?:the best of|best stories|selected (?:stories|works|writings|"
    r"tales|poems)|the essential|treasury|greatest hits)\b",
    re.IGNORECASE,
)
_ABOUT_WORDS = re.compile(
    r"\b(?:biography|life|lives|portrait|memoir of|remembering|conversations with|"
    r"interviews|letters to|the world of|a study|critical|companion|understanding|reading|"
    r"the fiction of|the novels of|the art of [A-Z]|the life and|encyclopa?edia|dictionary|"
    r"handbook|guide to|concordance|cookbook|kitchen|atlas|lexicon|quiz|trivia)\b",
    re.IGNORECASE,
)


@attrs.frozen(kw_only=True)
class WorkSignals:
    """What the rules read of one work: title, subtitle and parsed subject headings."""

    key: str
    title: str
    subtitle: str | None
    subjects: tuple[str, ...]
    headings: tuple[Heading, ...]
    first_publish_year: int | None = None
    parts: frozenset[str] = frozenset()
    """Every heading's folded main part and subdivisions, for quick membership tests."""

    @classmethod
    def of(
        cls,
        key: str,
        title: str,
        subtitle: str | None,
        subjects: Sequence[str],
        first_publish_year: int | None = None,
    ) -> WorkSignals:
        headings = tuple(parse_heading(s) for s in subjects[:60])
        return cls(
            key=key,
            title=title,
            subtitle=subtitle,
            subjects=tuple(subjects),
            headings=headings,
            first_publish_year=first_publish_year,
            parts=frozenset(_fold(p) for h in headings for p in (h.main, *h.subdivisions)),
        )

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title

    def has_subject(self, wanted: frozenset[str]) -> str | None:
        """The first heading whose main part or a subdivision is one of ``wanted``."""
        if wanted.isdisjoint(self.parts):
            return None
        for heading in self.headings:
            parts = (heading.main, *heading.subdivisions)
            for part in parts:
                if _fold(part) in wanted:
                    return heading.text
        return None


@functools.lru_cache(maxsize=8192)
def _fold(text: str) -> str:
    return " ".join(text.casefold().rstrip(".").split())


Rule = Callable[[WorkSignals, AuthorProfile], list[Finding]]


def heading_about_author(work: WorkSignals, profile: AuthorProfile) -> list[Finding]:
    """A heading naming the author with a form subdivision: criticism, handbooks, adaptations
    (a companion); the bare name or "Biography" with a biography heading (a life by someone
    else); with "Autobiography" it is their own life (core)."""
    findings: list[Finding] = []
    own_life = work.has_subject(OWN_LIFE_SUBJECTS)
    biography = work.has_subject(frozenset({"biography", "biographies"}))
    for heading in work.headings:
        if profile.is_homonym_heading(heading):
            findings.append(
                Finding(
                    verdict="not-by-author",
                    signal="homonym_heading",
                    detail=f"subject heading {heading.text!r}: another person of this name, "
                    f"born {heading.born}, not {profile.birth_year}",
                    weight=0.8,
                )
            )
            own_life = None  # an autobiography, but of the other person
            continue
        if profile.names_heading(heading) is not True:
            continue
        subdivisions = heading.subdivision_keys
        if heading.work_title and not own_life:
            findings.append(
                Finding(
                    verdict="companion",
                    signal="heading_names_work",
                    detail=f"subject heading {heading.text!r}: a book about their "
                    f"{heading.work_title!r}",
                    weight=0.8,
                )
            )
            continue
        companion = subdivisions & COMPANION_SUBDIVISIONS
        if companion:
            findings.append(
                Finding(
                    verdict="companion",
                    signal="heading_names_author",
                    detail=f"subject heading {heading.text!r}: a book about their work",
                    weight=0.9,
                )
            )
            continue
        strong = subdivisions & BIOGRAPHY_SUBDIVISIONS
        life_heading = not subdivisions or strong or subdivisions & LIFE_SUBDIVISIONS
        if life_heading and not own_life and (biography or strong):
            findings.append(
                Finding(
                    verdict="not-by-author",
                    signal="biography_of_author",
                    detail=f"subject heading {heading.text!r} with {biography!r}: "
                    "a life of the author",
                    weight=0.85,
                )
            )
    if own_life:
        findings.append(
            Finding(
                verdict="core",
                signal="own_life",
                detail=f"subject {own_life!r}: the author's own life",
                weight=0.7,
            )
        )
    return findings


def namesake_heading(work: WorkSignals, profile: AuthorProfile) -> list[Finding]:
    """A dated heading for somebody else of this surname on a work of fiction, with no
    biography heading: the book of a near-namesake filed under this author."""
    if work.has_subject(frozenset({"biography", "biographies", "autobiography"})):
        return []
    if not work.has_subject(frozenset({"fiction"})):
        return []
    for heading in work.headings:
        if heading.subdivisions or profile.names_heading(heading) is not False:
            continue
        return [
            Finding(
                verdict="not-by-author",
                signal="namesake_heading",
                detail=f"subject heading {heading.text!r}: a different person of this name",
                weight=0.7,
            )
        ]
    return []


def translated_by_author(work: WorkSignals, profile: AuthorProfile) -> list[Finding]:
    """A heading ``Other, Person, dates -- Translations into …``: another writer's work in
    translation, the author being its translator."""
    for heading in work.headings:
        if heading.person is None or not heading.dated:
            continue
        if profile.names_heading(heading) is True:
            continue
        if any(_fold(s).startswith("translations into") for s in heading.subdivisions):
            return [
                Finding(
                    verdict="not-by-author",
                    signal="translated_by_author",
                    detail=f"subject heading {heading.text!r}: another writer's work, "
                    "which the author translated",
                    weight=0.85,
                )
            ]
    return []


def anthology(work: WorkSignals, profile: AuthorProfile) -> list[Finding]:
    """An "Anthologies" heading: several writers' pieces gathered by an editor."""
    found = work.has_subject(ANTHOLOGY_SUBJECTS)
    if not found:
        return []
    if _names_author(work.full_title, profile):
        return [
            Finding(
                verdict="collection",
                signal="anthology_of_author",
                detail=f"subject {found!r} and the title names the author: their pieces gathered",
                weight=0.6,
            )
        ]
    return [
        Finding(
            verdict="not-by-author",
            signal="anthology",
            detail=f"subject {found!r}: an anthology of several writers, edited by another",
            weight=0.8,
        )
    ]


def printed_music(work: WorkSignals, profile: AuthorProfile) -> list[Finding]:
    """Printed music (scores, choruses, carols) for a writer whose profile is not music."""
    found = work.has_subject(MUSIC_SUBJECTS)
    if not found or profile.top_subjects & MUSIC_SUBJECTS:
        return []
    return [
        Finding(
            verdict="not-by-author",
            signal="printed_music",
            detail=f"subject {found!r}: printed music, by a composer",
            weight=0.75,
        )
    ]


def tie_in(work: WorkSignals, profile: AuthorProfile) -> list[Finding]:
    """Games, sequels by other hands and graphic adaptations built on the author's work."""
    game = work.has_subject(GAME_SUBJECTS)
    if game and not work.has_subject(frozenset({"fiction"})):
        return [
            Finding(
                verdict="companion",
                signal="game",
                detail=f"subject {game!r}: a game built on the work",
                weight=0.75,
            )
        ]
    found = work.has_subject(TIE_IN_SUBJECTS)
    if found:
        return [
            Finding(
                verdict="companion",
                signal="tie_in",
                detail=f"subject {found!r}: a tie-in built on the work by other hands",
                weight=0.6,
            )
        ]
    return []


def selection_title(work: WorkSignals, profile: AuthorProfile) -> list[Finding]:
    """A title that announces a selection ("The Best of …", "Selected Stories")."""
    found = _SELECTION.search(work.full_title)
    if not found:
        return []
    return [
        Finding(
            verdict="collection",
            signal="selection_title",
            detail=f"the title ({found.group(0)!r}) announces a selection from earlier books",
            weight=0.55,
        )
    ]


def title_names_author(work: WorkSignals, profile: AuthorProfile) -> list[Finding]:
    """The title is the author's name, names them beside words of a study or a life, or
    in the possessive over another hand's book ("Ludlum's The Bourne Legacy"); beside words of
    their own life ("An Autobiography", "Letters") it is theirs."""
    title = work.full_title
    if not profile.may_name(title):
        return []
    if _OWN_WORDS.search(title) and _names_author(title, profile):
        return [
            Finding(
                verdict="core",
                signal="own_words_title",
                detail="the title names the author beside words of their own life or letters",
                weight=0.6,
            )
        ]
    title_key = name_key(work.title) if len(work.title) <= 60 else ""
    life = _LIFE_WORDS.search(title)
    if title_key and title_key in profile.name_keys:
        return [
            Finding(
                verdict="not-by-author" if life else "companion",
                signal="title_is_author_name",
                detail="the title is the author's name: a book about them",
                weight=0.6,
            )
        ]
    if _ABOUT_WORDS.search(title) and _names_author(title, profile):
        return [
            Finding(
                verdict="not-by-author" if life else "companion",
                signal="title_names_author",
                detail="the title names the author beside words of a study or a life",
                weight=0.6,
            )
        ]
    folded = title.casefold().replace("\u2019", "'")
    if any(folded.startswith(f"{name.casefold()}'s ") for name in profile.names):
        return [
            Finding(
                verdict="companion",
                signal="possessive_title",
                detail="the title puts the author's name over the book, as others' tie-ins do",
                weight=0.5,
            )
        ]
    return []


_OWN_WORDS = re.compile(
    r"\b(?:autobiography|memoirs?|my life|diar(?:y|ies)|journals?|letters|notebooks?)\b",
    re.IGNORECASE,
)
_LIFE_WORDS = re.compile(r"\b(?:life|lives|biograph\w*|portrait)\b", re.IGNORECASE)


def homonym_profile(
    work: WorkSignals, profile: AuthorProfile, own_subjects: frozenset[str]
) -> list[Finding]:
    """Subjects that only a same-named other person's profile has: their book, mis-filed."""
    subjects = subject_words(work.subjects)
    for other in profile.homonyms:
        mine = own_subjects | profile.top_subjects
        theirs = other.subjects
        to_them = len(subjects & (theirs - mine))
        to_me = len(subjects & (mine - theirs))
        if to_them > to_me:
            return [
                Finding(
                    verdict="not-by-author",
                    signal="homonym_profile",
                    detail=f"{to_them} of its subjects are the profile of another person of "
                    f"this name ({other.key}), {to_me} this author's",
                    weight=min(0.95, 0.6 + 0.15 * (to_them - to_me)),
                )
            ]
    return []


POSTHUMOUS_GRACE = 3
"""Years after the author's death in which their last books still come out."""


def life_years(work: WorkSignals, profile: AuthorProfile) -> list[Finding]:
    """A first publication long after the author's death, or before they were twelve: a doubt
    (alone it only marks the work uncertain; lost manuscripts do appear)."""
    year = work.first_publish_year
    if year is None:
        return []
    if profile.death_year is not None and year > profile.death_year + POSTHUMOUS_GRACE:
        return [
            Finding(
                verdict="not-by-author",
                signal="after_death",
                detail=f"first published in {year}, {year - profile.death_year} years after "
                f"the author's death ({profile.death_year})",
                weight=0.35,
            )
        ]
    if profile.birth_year is not None and year < profile.birth_year + 12:
        return [
            Finding(
                verdict="not-by-author",
                signal="before_author",
                detail=f"first published in {year}; the author was born in {profile.birth_year}",
                weight=0.6,
            )
        ]
    return []


GENERIC_SUBJECTS = frozenset({"fiction", "nonfiction", "juvenile fiction", "literature"})


def homonym_same_title(work: WorkSignals, profile: AuthorProfile) -> list[Finding]:
    """The same title in a same-named other person's list, where the record is richer and
    holds every subject of this one: one book, theirs, filed twice."""
    if not profile.homonyms:
        return []
    key = title_key(work.title)
    mine = subject_words(work.subjects) - GENERIC_SUBJECTS
    if not key or not mine:
        return []
    for other in profile.homonyms:
        theirs = other.titles.get(key)
        if theirs is not None and mine <= theirs and len(theirs - GENERIC_SUBJECTS) > len(mine):
            return [
                Finding(
                    verdict="not-by-author",
                    signal="homonym_same_title",
                    detail=f"another person of this name ({other.key}) has this title, with "
                    "every subject of this record and more: their book, filed here too",
                    weight=0.85,
                )
            ]
    return []


def _names_author(text: str, profile: AuthorProfile) -> bool:
    if not profile.may_name(text):
        return False
    padded = f" {name_key(text)} "
    return any(f" {key} " in padded for key in profile.name_keys if " " in key)


RULES: tuple[Rule, ...] = (
    heading_about_author,
    namesake_heading,
    translated_by_author,
    anthology,
    printed_music,
    tie_in,
    selection_title,
    title_names_author,
    life_years,
)


_SUBJECT_RULES: frozenset[Rule] = frozenset(
    {heading_about_author, namesake_heading, translated_by_author, anthology, printed_music, tie_in}
)
SUBJECT_SIGNALS = _ANY_SUBJECT_SIGNAL = (
    OWN_LIFE_SUBJECTS
    | ANTHOLOGY_SUBJECTS
    | MUSIC_SUBJECTS
    | GAME_SUBJECTS
    | TIE_IN_SUBJECTS
    | frozenset({"biography", "biographies"})
)
"""A work none of whose headings holds one of these or names a person needs no subject rule."""


def run_rules(
    work: WorkSignals,
    profile: AuthorProfile,
    *,
    own_subjects: frozenset[str] = frozenset(),
    rules: Iterable[Rule] = RULES,
) -> list[Finding]:
    """Every finding of every rule for ``work``."""
    findings: list[Finding] = []
    quiet = work.parts.isdisjoint(_ANY_SUBJECT_SIGNAL) and not any(h.person for h in work.headings)
    for rule in rules:
        if quiet and rule in _SUBJECT_RULES:
            continue
        findings.extend(rule(work, profile))
    if profile.homonyms:
        findings.extend(homonym_profile(work, profile, own_subjects))
        findings.extend(homonym_same_title(work, profile))
    return findings
