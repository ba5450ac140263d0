"""The core-works filter: an author's raw OpenLibrary works down to the books they wrote.

Every verdict is decided from evidence and carries it (`~bookstracker.models.Evidence`):

1. Credits: a work whose credits leave the author out, or name them only as contributor
   (foreword, editor…), is ``not-by-author``.
2. Evidence rules (`~bookstracker.pipeline.rules`) read subject headings, the title, the year
   against the author's life and same-named people's profiles, each giving named findings with
   a weight; `decide` weighs them (the strongest exclusion reason against the signals of the
   author's own work; a close call keeps the work and marks it uncertain).
3. Structure: works whose editions are all in another language than the author's are
   ``translation`` (kept under the original when it can be named; a translated selection of
   stories matching no single original is a ``collection``); a title bundling two listed works
   is a ``collection``; records of one work (same title and subtitle, one half of a split, a
   series title, a title one of the other's editions carries) are ``duplicate``, the richer
   record winning with the earliest year.
4. The user's pins (`~bookstracker.pins.WorkPins`) last, reported as decided by the user.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import cast

import attrs

from bookstracker.models import Edition, Evidence, EvidenceSignal, Exclusion, ExclusionReason
from bookstracker.names import name_key, title_key, title_key_full
from bookstracker.pins import WorkPins
from bookstracker.pipeline.evidence import AuthorProfile, Finding, parse_heading, subject_words
from bookstracker.pipeline.merge import COMPANION_PATTERN, is_companion_title
from bookstracker.pipeline.rules import (
    POSTHUMOUS_GRACE,
    SELECTION_PATTERN,
    SUBJECT_SIGNALS,
    WorkSignals,
    run_rules,
)

__all__ = [
    "ANTHOLOGY_AUTHORS",
    "COLLECTION_PATTERN",
    "CONTRIBUTOR_ROLES",
    "CoreWorksFilter",
    "FilterResult",
    "WorkCandidate",
    "distinct_subtitle",
    "duplicate_key",
    "original_language",
]

COLLECTION_PATTERN = re.compile(
    r"\b(box(?:ed)? ?set|boxset|collection set|books? set|book collection|\d+[- ]books?\b|"
    r"omnibus|complete (?:series|trilogy|saga|collection)|trilogy in|"
    r"books? \d+ ?(?:-|–|to|&|and) ?\d+|"
    r"#\d+ ?(?:-|–) ?\d+|\(\d+ ?(?:-|–) ?\d+\)|volumes? \d+ ?(?:-|–|to) ?\d+|\d+ ?in ?1\b|"
    r"\d+ novels in one|bundle|slipcase|gift set|trilogy|tetralogy|quartet|quintet|sextet|"
    r"complete (?:short )?(?:stories|novels|works|fiction)|"
    r"collected (?:novels|works|fiction|stories|short stories|poems|tales|essays|plays)|"
    r"(?:two|three|four|five|six) (?:novels|novellas)\b|"
    r"trilog(?:ía|ia|ie)|tetralog(?:ía|ia|ie)|coffret|intégrale|gesamtausgabe|sammelband|"
    r"obras completas|opere complete|œuvres complètes|oeuvres complètes)",
    re.IGNORECASE,
)
ANTHOLOGY_AUTHORS = 5
CONTRIBUTOR_ROLES = frozenset(
    {
        "foreword",
        "introduction",
        "intro",
        "preface",
        "afterword",
        "editor",
        "edited by",
        "ed.",
        "illustrator",
        "illustrations",
        "translator",
        "translated by",
        "contributor",
        "narrator",
        "compiler",
        "commentary",
    }
)
_BUNDLE_DESCRIPTION = re.compile(
    r"\b(in one volume|in a single volume|in one box|in one book|omnibus|box(?:ed)? set|"
    r"collects (?:the|all|every))\b",
    re.IGNORECASE,
)
_BOX_FORMAT = re.compile(r"\bbox(?:ed)?[ -]?set\b|\bslipcase", re.IGNORECASE)
_BUNDLE_SUBJECTS = frozenset(
    {"boxed sets", "box sets", "omnibus", "omnibus editions", "omnibus volumes"}
)
_COMPANION_SUBJECTS = frozenset(
    {"criticism and interpretation", "study guides", "study aids", "examinations, questions, etc"}
)
_STUDY_SUBJECTS = frozenset(
    {"study guides", "study aids", "examinations, questions, etc", "literature study guides"}
)
_STORY_SUBJECTS = frozenset({"short stories"})
_ABOUT_SUBJECTS = frozenset({"biography", "biographies", "interviews", "correspondence"})
_GENERIC_SUBTITLE = re.compile(
    r"(?:(?:a|an|the)\s+)?(?:[\w'-]+\s+){0,2}"
    r"(?:novel|novella|thriller|memoir|mystery|romance|story|stories|tale|fable|roman|book|saga)s?"
)
_EDITION_SUBTITLE = re.compile(
    r"\b(?:tie[- ]in|edition|large print|anniversary|unabridged|abridged|reissue)\b"
)
_ALTERNATE_TITLE = re.compile(r"[,;]\s*or[,:]?\s+.*$", re.IGNORECASE)
_SEPARATORS = re.compile(r"\s*(?:[,;/:+&]|\band\b|\bwith\b)\s*", re.IGNORECASE)


@attrs.frozen(kw_only=True)
class WorkCandidate:
    """One raw work with the signals the filter reads."""

    key: str
    title: str
    subtitle: str | None = None
    author_keys: tuple[str, ...] = ()
    roles: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    first_publish_year: int | None = None
    languages: frozenset[str] = frozenset()
    edition_count: int | None = None
    isbns: tuple[str, ...] = ()
    translation_of: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    description: str | None = None
    record_type: str = "work"
    redirect_to: str | None = None
    richness: int = 0
    edition_titles: tuple[str, ...] = ()
    """Titles of the work's editions that OpenLibrary returned (series and national titles)."""
    edition_formats: tuple[str, ...] = ()
    """Physical formats of those editions ("Box Set", "Paperback")."""

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title


@attrs.frozen(kw_only=True)
class FilterResult:
    """The core works, the exclusions, and which excluded work's editions go to which core work."""

    core: tuple[WorkCandidate, ...]
    excluded: tuple[Exclusion, ...]
    kept_under: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    first_year: Mapping[str, int] = attrs.field(factory=dict, hash=False)
    original_language: str | None = None
    evidence: Mapping[str, Evidence] = attrs.field(factory=dict, hash=False)
    """The evidence behind each core work, by key."""


def original_language(editions: Iterable[Edition], works: Sequence[WorkCandidate]) -> str | None:
    """The author's original language.

    Each work votes with the language of its earliest dated edition, weighted by its edition
    count (an author's own works have more editions than the translations filed as works); with
    no dated editions, the language found in most multilingual works wins (English losing ties,
    as the commonest translation target), else the commonest language.
    """
    earliest = _earliest_languages(editions)
    if earliest:
        return _weighted_vote(earliest, works)
    multilingual = Counter(lang for w in works if len(w.languages) > 1 for lang in w.languages)
    if multilingual:
        best = max(multilingual.values())
        tied_sorted = sorted(lang for lang, n in multilingual.items() if n == best)
        non_english = [lang for lang in tied_sorted if lang != "en"]
        return (non_english or tied_sorted)[0]
    overall = Counter(lang for w in works for lang in w.languages)
    return overall.most_common(1)[0][0] if overall else None


def _earliest_languages(editions: Iterable[Edition]) -> dict[str, tuple[int, str]]:
    """Each work's earliest dated edition with a language: work key → (year, language)."""
    earliest: dict[str, tuple[int, str]] = {}
    for edition in editions:
        year = edition.year
        if year is None or not edition.language or not edition.work_key:
            continue
        known = earliest.get(edition.work_key)
        if known is None or year < known[0]:
            earliest[edition.work_key] = (year, edition.language)
    return earliest


def _weighted_vote(earliest: Mapping[str, tuple[int, str]], works: Sequence[WorkCandidate]) -> str:
    """The language with most edition-weighted votes; of tied ones, the earliest."""
    weight = {w.key: max(1, w.edition_count or 1) for w in works}
    votes: Counter[str] = Counter()
    for work_key, (_, language) in earliest.items():
        votes[language] += weight.get(work_key, 1)
    best = max(votes.values())
    tied = {lang for lang, n in votes.items() if n == best}
    return min((y, lang) for y, lang in earliest.values() if lang in tied)[1]


class CoreWorksFilter:
    """Decides which works are core for one author (``author_keys``: the person and pen names).

    ``profile`` adds what the author record says (birth year, top subjects, same-named other
    records); without it the profile is built from the keys and names alone.
    """

    def __init__(
        self,
        *,
        author_keys: Iterable[str],
        author_names: Iterable[str],
        original_language: str | None,
        profile: AuthorProfile | None = None,
        pins: WorkPins | None = None,
    ) -> None:
        self.author_keys = frozenset(author_keys)
        names = tuple(author_names)
        self.author_name_keys = frozenset(k for k in (name_key(n) for n in names) if k)
        self.original_language = original_language
        self.profile = profile or AuthorProfile(keys=self.author_keys, names=names)
        self.pins = pins

    def run(self, works: Sequence[WorkCandidate]) -> FilterResult:
        works = _unique(works)
        out = _Sorting()
        remaining = self._screen(works, out)
        translations: list[WorkCandidate] = []
        untranslated: list[WorkCandidate] = []
        for work in remaining:
            (translations if self._is_translation(work) else untranslated).append(work)
        originals = self._without_collections(untranslated, out)
        core, first_year = _merge_duplicates(originals, out)
        self._place_translations(translations, core, out)
        excluded = out.excluded
        if self.pins:
            core, excluded = _apply_pins(
                self.pins, works, core, excluded, out.kept_under, out.evidence
            )
        order = {w.key: i for i, w in enumerate(works)}
        excluded.sort(key=lambda e: order.get(e.key or "", len(order)))
        return FilterResult(
            core=tuple(core),
            excluded=tuple(excluded),
            kept_under=out.kept_under,
            first_year=first_year,
            original_language=self.original_language,
            evidence={w.key: out.evidence[w.key] for w in core if w.key in out.evidence},
        )

    def _screen(self, works: Sequence[WorkCandidate], out: _Sorting) -> list[WorkCandidate]:
        """The works each rule finds core; the others excluded with the strongest reason."""
        own_subjects = _subject_pool(works) if self.profile.homonyms else _no_pool
        remaining: list[WorkCandidate] = []
        for work in works:
            if work.record_type in ("redirect", "delete"):
                out.excluded.append(
                    _exclude(work, "duplicate", f"OpenLibrary {work.record_type} record")
                )
                if work.redirect_to:
                    out.kept_under[work.key] = work.redirect_to
                continue
            contributor = self._contributor_only(work)
            if contributor:
                out.excluded.append(_exclude(work, *contributor))
                continue
            findings = self._findings(work, own_subjects(work))
            verdict = decide(findings)
            if verdict.verdict != "core":
                reason = cast(ExclusionReason, verdict.verdict)
                top = _strongest(findings, verdict.verdict)
                detail = top.detail if top else ""
                out.excluded.append(_exclude(work, reason, detail, evidence=verdict))
                continue
            out.evidence[work.key] = verdict
            remaining.append(work)
        return remaining

    def _without_collections(
        self, works: Sequence[WorkCandidate], out: _Sorting
    ) -> list[WorkCandidate]:
        """``works`` but those that bundle other listed works (excluded as collections)."""
        title_keys = {k for k in (title_key(w.title) for w in works) if k}
        originals: list[WorkCandidate] = []
        for work in works:
            collection = self._collection(work, title_keys)
            if not collection:
                originals.append(work)
                continue
            evidence = _structural("collection", "bundles_listed_works", collection)
            out.excluded.append(_exclude(work, "collection", collection, evidence=evidence))
        return originals

    def _place_translations(
        self, translations: Sequence[WorkCandidate], core: Sequence[WorkCandidate], out: _Sorting
    ) -> None:
        """Each translation excluded under the core work it translates (a translated selection
        of stories matching none: a collection)."""
        by_title = {title_key(w.title): w for w in core}
        for work in translations:
            target = next(
                (by_title[k] for k in map(title_key, work.translation_of) if k in by_title), None
            )
            languages = ", ".join(sorted(work.languages))
            if target is None and _subject_in(work.subjects, _STORY_SUBJECTS):
                detail = (
                    f"stories in {languages}, not the author's {self.original_language}, "
                    "matching no single original: a selection from their collections"
                )
                evidence = _structural("collection", "translated_selection", detail, 0.6)
                out.excluded.append(_exclude(work, "collection", detail, evidence=evidence))
                continue
            detail = f"editions only in {languages}; the author writes in {self.original_language}"
            out.excluded.append(
                _exclude(
                    work,
                    "translation",
                    detail,
                    kept_under=target.key if target else None,
                    evidence=_structural("translation", "languages", detail),
                )
            )
            if target is not None:
                out.kept_under[work.key] = target.key

    # -- the rules -------------------------------------------------------------------------

    def _quiet(self, work: WorkCandidate) -> bool:
        """True when no rule could fire: nothing in the subjects, the title, the year, the
        credits or the formats that any rule reads (most works of a prolific author)."""
        if self.profile.homonyms or self._primary_is_other(work) or work.description:
            return False
        if work.subjects:
            parts, has_person = _subject_profile(work.subjects)
            if has_person or not parts.isdisjoint(_SUBJECT_SIGNALS):
                return False
        title = work.full_title
        if _has_title_signal(title) or self.profile.may_name(title):
            return False
        if any(_BOX_FORMAT.search(f) for f in work.edition_formats):
            return False
        year = work.first_publish_year
        profile = self.profile
        if year is None:
            return True
        died, born = profile.death_year, profile.birth_year
        return not (
            (died is not None and year > died + POSTHUMOUS_GRACE)
            or (born is not None and year < born + 12)
        )

    def _findings(self, work: WorkCandidate, own_subjects: frozenset[str]) -> list[Finding]:
        if self._quiet(work):
            return []
        signals = WorkSignals.of(
            work.key, work.title, work.subtitle, work.subjects, work.first_publish_year
        )
        findings = run_rules(signals, self.profile, own_subjects=own_subjects)
        if is_companion_title(work.full_title):
            findings.append(
                Finding(
                    verdict="companion",
                    signal="guide_title",
                    detail="a study guide, summary or workbook (by its title)",
                    weight=0.85,
                )
            )
        if not _STUDY_SUBJECTS.isdisjoint(signals.parts):
            findings.append(
                Finding(
                    verdict="companion",
                    signal="study_subjects",
                    detail="study-guide subjects (study guides, examinations)",
                    weight=0.8,
                )
            )
        marks = _bundle_marks(work)
        if marks:
            findings.append(
                Finding(verdict="collection", signal="bundle_marks", detail=marks, weight=0.85)
            )
        if self._primary_is_other(work):
            findings.extend(self._about_author(work))
        return findings

    def _contributor_only(self, work: WorkCandidate) -> tuple[ExclusionReason, str] | None:
        ours = [k for k in work.author_keys if k in self.author_keys]
        if work.author_keys and not ours:
            return "not-by-author", "the author is not among the work's authors"
        roles = [work.roles.get(k, "").strip().lower() for k in ours]
        if ours and all(role and _is_contributor_role(role) for role in roles):
            return "not-by-author", f"the author is credited only as {roles[0]}"
        return None

    def _about_author(self, work: WorkCandidate) -> list[Finding]:
        """Somebody else is the first credited author: guides and lives are theirs."""
        if _bundle_marks(work):
            return []
        if _UNAUTHORIZED_GUIDE.search(work.full_title):
            return [_finding("companion", "guide_by_other", "a guide to the author's work", 0.8)]
        if _subject_in(work.subjects, _COMPANION_SUBJECTS):
            detail = "criticism or a study aid (by its subjects), by someone else"
            return [_finding("companion", "criticism_by_other", detail, 0.8)]
        if self._names_author(work.full_title):
            detail = "a book about the author (by its title), by someone else"
            return [_finding("not-by-author", "about_author_by_other", detail, 0.8)]
        if any(name_key(subject) in self.author_name_keys for subject in work.subjects):
            detail = "a book about the author (by its subjects), by someone else"
            return [_finding("not-by-author", "about_author_by_other", detail, 0.8)]
        if _subject_in(work.subjects, _ABOUT_SUBJECTS):
            detail = "a biography (by its subjects), by someone else"
            return [_finding("not-by-author", "biography_by_other", detail, 0.75)]
        return []

    def _primary_is_other(self, work: WorkCandidate) -> bool:
        return bool(work.author_keys) and work.author_keys[0] not in self.author_keys

    def _collection(self, work: WorkCandidate, title_keys: set[str]) -> str | None:
        if len(work.author_keys) > ANTHOLOGY_AUTHORS and self._primary_is_other(work):
            return f"an anthology of {len(work.author_keys)} authors"
        if not _may_separate(work.full_title):
            return None  # one part, the title itself: it names no other work
        own = title_key(work.title)
        parts = _SEPARATORS.split(work.full_title)
        named = {k for k in map(title_key, parts) if k and k != own and k in title_keys}
        if len(named) >= 2:
            return f"bundles {len(named)} works already listed (by its title)"
        return None

    def _is_translation(self, work: WorkCandidate) -> bool:
        if not self.original_language or not work.languages:
            return False
        return self.original_language not in work.languages

    def _names_author(self, text: str) -> bool:
        words = name_key(text)
        padded = f" {words} "
        return any(f" {key} " in padded for key in self.author_name_keys if " " in key)


def _apply_pins(
    pins: WorkPins,
    works: Sequence[WorkCandidate],
    core: list[WorkCandidate],
    excluded: list[Exclusion],
    kept_under: dict[str, str],
    evidence: dict[str, Evidence],
) -> tuple[list[WorkCandidate], list[Exclusion]]:
    """The user's pins over the filter's verdicts; each pinned work says the user decided."""
    by_key = {w.key: w for w in works}
    was_excluded = {e.key: e for e in excluded}
    core = [w for w in core if w.key not in pins.drop]
    excluded = [e for e in excluded if e.key not in pins.keep and e.key not in pins.drop]
    core_keys = {w.key for w in core}
    for key in sorted(pins.keep):
        if key in by_key:
            _pin_in(by_key[key], was_excluded.get(key), kept_under, evidence)
            if key not in core_keys:
                core.append(by_key[key])
                core_keys.add(key)
    for key, reason in sorted(pins.drop.items()):
        if key in by_key:
            before = was_excluded.get(key)
            prior = before.evidence if before is not None else evidence.pop(key, None)
            excluded.append(_pin_out(by_key[key], reason, prior, kept_under))
    return core, excluded


def _pin_in(
    work: WorkCandidate,
    before: Exclusion | None,
    kept_under: dict[str, str],
    evidence: dict[str, Evidence],
) -> None:
    """The evidence of ``work`` kept in by the user, over what the filter said."""
    prior = before.evidence if before is not None else evidence.get(work.key)
    detail = f"pinned in by the user (the filter said {prior.verdict if prior else 'core'})"
    evidence[work.key] = _user_evidence("core", detail, prior)
    kept_under.pop(work.key, None)


def _pin_out(
    work: WorkCandidate, reason: ExclusionReason, prior: Evidence | None, kept_under: dict[str, str]
) -> Exclusion:
    """``work`` left out by the user: its exclusion; nothing is kept under it any more."""
    detail = f"pinned out by the user (the filter said {prior.verdict if prior else 'core'})"
    for loser, winner in list(kept_under.items()):
        if winner == work.key:
            del kept_under[loser]
    kept_under.pop(work.key, None)
    return _exclude(work, reason, detail, evidence=_user_evidence(reason, detail, prior))


def _user_evidence(verdict: str, detail: str, prior: Evidence | None) -> Evidence:
    pin = EvidenceSignal(name="user_pin", verdict=verdict, detail=detail, weight=1.0)
    return Evidence(
        verdict=verdict,
        confidence=1.0,
        decided_by="user",
        signals=(pin, *(prior.signals if prior else ())),
    )


EXCLUDE_AT = 0.5
"""Exclusion signals weaker than this together only mark the work uncertain."""
UNCERTAIN_MARGIN = 0.25
"""An exclusion must outweigh the signals for the author's authorship by this much; closer
calls keep the work, marked uncertain."""


def decide(findings: Sequence[Finding]) -> Evidence:
    """The verdict the findings support: each side's weights combine as independent evidence
    (1 - the product of 1 - w); the strongest exclusion reason against ``core``."""
    if not findings:
        return _NO_SIGNALS
    scores: dict[str, float] = {}
    for finding in findings:
        scores[finding.verdict] = 1 - (1 - scores.get(finding.verdict, 0.0)) * (1 - finding.weight)
    core = scores.pop("core", 0.0)
    signals = tuple(
        EvidenceSignal(name=f.signal, verdict=f.verdict, detail=f.detail, weight=f.weight)
        for f in findings
    )
    if not scores:
        return Evidence(verdict="core", confidence=round(max(core, 0.9), 3), signals=signals)
    best = max(scores, key=lambda v: (scores[v], -_PRIORITY.index(v)))
    against = scores[best]
    if against >= EXCLUDE_AT and against - core >= UNCERTAIN_MARGIN:
        return Evidence(
            verdict=best,
            confidence=round(against * (1 - core), 3),
            uncertain=core > 0 or _close_second(scores, against),
            signals=signals,
        )
    return Evidence(
        verdict="core",
        confidence=round(max(0.5, 1 - against), 3),
        uncertain=True,
        signals=signals,
    )


_NO_SIGNALS = Evidence(
    verdict="core",
    confidence=0.9,
    signals=(
        EvidenceSignal(
            name="credited_author",
            verdict="core",
            detail="credited as its author, with no sign of a book about them, another "
            "writer's book, a bundle, a translation or a second record",
            weight=0.9,
        ),
    ),
)


def _close_second(scores: Mapping[str, float], best: float) -> bool:
    """Two exclusion reasons nearly as strong: the reason itself is uncertain."""
    return len(scores) > 1 and sorted(scores.values())[-2] >= best - 0.1


_PRIORITY = ("companion", "not-by-author", "collection", "duplicate", "translation")


def _finding(verdict: str, signal: str, detail: str, weight: float) -> Finding:
    return Finding(verdict=verdict, signal=signal, detail=detail, weight=weight)


def _strongest(findings: Sequence[Finding], verdict: str) -> Finding | None:
    matching = [f for f in findings if f.verdict == verdict]
    return max(matching, key=lambda f: f.weight) if matching else None


def _structural(verdict: str, signal: str, detail: str, weight: float = 0.9) -> Evidence:
    return Evidence(
        verdict=verdict,
        confidence=weight,
        signals=(EvidenceSignal(name=signal, verdict=verdict, detail=detail, weight=weight),),
    )


def _unique(works: Sequence[WorkCandidate]) -> list[WorkCandidate]:
    seen: set[str] = set()
    out: list[WorkCandidate] = []
    for work in works:
        if work.key not in seen:
            seen.add(work.key)
            out.append(work)
    return out


@functools.lru_cache(maxsize=4096)
def _subject_profile(subjects: tuple[str, ...]) -> tuple[frozenset[str], bool]:
    """The folded main parts and subdivisions of ``subjects``, and whether one names a person."""
    headings = [parse_heading(s) for s in subjects[:60]]
    parts = frozenset(
        " ".join(p.casefold().rstrip(".").split())
        for h in headings
        for p in (h.main, *h.subdivisions)
    )
    return parts, any(h.person for h in headings)


def _no_pool(work: WorkCandidate) -> frozenset[str]:
    return frozenset()


def _subject_pool(works: Sequence[WorkCandidate]) -> Callable[[WorkCandidate], frozenset[str]]:
    """For each work, the subjects that other works of the author (not of its title) carry."""
    total: Counter[str] = Counter()
    by_title: dict[str, Counter[str]] = {}
    words: dict[str, frozenset[str]] = {}
    for work in works:
        found = subject_words(work.subjects)
        words[work.key] = found
        total.update(found)
        by_title.setdefault(duplicate_key(work.title), Counter()).update(found)

    def pool(work: WorkCandidate) -> frozenset[str]:
        group = by_title.get(duplicate_key(work.title), Counter())
        return frozenset(s for s in words.get(work.key, ()) if total[s] - group[s] > 0)

    return pool


_UNAUTHORIZED_GUIDE = re.compile(
    r"\b(unauthori[sz]ed|unofficial) (guide|companion)|\bguide to the (world|mysteries|books)",
    re.IGNORECASE,
)


def _bundle_marks(work: WorkCandidate) -> str | None:
    """Why the work is a box set, omnibus or re-bundling, judged from the work alone (a bundle
    that names the author, like "The Bachman Books … by Stephen King", is not a book about them).
    """
    if COLLECTION_PATTERN.search(work.full_title):
        return "a box set or omnibus (by its title)"
    if _subject_in(work.subjects, _BUNDLE_SUBJECTS):
        return "a box set or omnibus (by its subjects)"
    if work.description and _BUNDLE_DESCRIPTION.search(work.description):
        return "a re-bundling of other books (by its description)"
    if work.edition_formats and all(_BOX_FORMAT.search(f) for f in work.edition_formats):
        return "a box set (every edition's format)"
    return None


def _subject_in(subjects: Iterable[str], wanted: frozenset[str]) -> bool:
    for subject in subjects:
        for part in subject.split("--"):
            if part.strip().lower().rstrip(".") in wanted:
                return True
    return False


@functools.lru_cache(maxsize=16384)
def duplicate_key(title: str) -> str:
    """The key two records of one work share: the title without alternative title, subtitle,
    case, punctuation or spacing ("The Hobbit, or, There and Back Again" = "The hobbit")."""
    main = _ALTERNATE_TITLE.sub("", title)
    return title_key(main).replace(" ", "") or title_key(title).replace(" ", "")


def _is_contributor_role(role: str) -> bool:
    return role in CONTRIBUTOR_ROLES or any(role.startswith(r) for r in CONTRIBUTOR_ROLES)


def _exclude(
    work: WorkCandidate,
    reason: ExclusionReason,
    detail: str,
    *,
    kept_under: str | None = None,
    evidence: Evidence | None = None,
) -> Exclusion:
    return Exclusion(
        title=work.full_title,
        key=work.key,
        reason=reason,
        detail=detail,
        kept_under=kept_under,
        evidence=evidence or _structural(reason, "credits", detail, 0.95),
    )


def _richness(work: WorkCandidate) -> tuple[int, int, int]:
    return (work.edition_count or 0, work.richness, -len(work.key))


def distinct_subtitle(work: WorkCandidate) -> str:
    """The normalised subtitle that sets a work apart from others of the same main title
    ("The Dark of Deep Below"); empty for none, or for a generic one ("a novel")."""
    if work.subtitle is None and work.title.isascii() and not _SUBTITLE_MARKS & set(work.title):
        return ""  # no subtitle separator: the full title key is the main one
    main = title_key(_ALTERNATE_TITLE.sub("", work.title))
    full = title_key_full(_ALTERNATE_TITLE.sub("", work.full_title))
    if not main or not full.startswith(main):
        return ""
    rest = full[len(main) :].strip()
    if not rest or _GENERIC_SUBTITLE.fullmatch(rest) or rest.startswith("or "):
        return ""
    raw = (work.subtitle or work.title[len(_split_main(work.title)) :]).casefold()
    return "" if _EDITION_SUBTITLE.search(raw) else rest


def _duplicate_groups(works: Sequence[WorkCandidate]) -> list[list[WorkCandidate]]:
    """Works grouped as records of one work: one main title and one subtitle (a record
    without a subtitle is not a record of one with a distinct subtitle: a book and its
    screenplay, a novel and its graphic adaptation)."""
    by_main: dict[str, dict[str, list[WorkCandidate]]] = {}
    for work in works:
        main = duplicate_key(work.title) or work.key
        by_main.setdefault(main, {}).setdefault(distinct_subtitle(work), []).append(work)
    groups: list[list[WorkCandidate]] = []
    for subtitles in by_main.values():
        named = [group for sub, group in subtitles.items() if sub]
        bare = subtitles.get("", [])
        groups.extend(named)
        if bare:
            groups.append(bare)
    position = {w.key: i for i, w in enumerate(works)}
    groups.sort(key=lambda group: min(position[w.key] for w in group))
    return groups


@attrs.define
class _Sorting:
    """What the filter's steps decide as they go: exclusions, where a left-out work is kept,
    and the evidence for each work found core."""

    excluded: list[Exclusion] = attrs.Factory(list)
    kept_under: dict[str, str] = attrs.Factory(dict)
    evidence: dict[str, Evidence] = attrs.Factory(dict)


def _merge_duplicates(
    originals: Sequence[WorkCandidate], out: _Sorting
) -> tuple[list[WorkCandidate], dict[str, int]]:
    """One record per work: the others excluded as duplicates, kept under the one kept; the
    core and each kept work's earliest year."""
    core, duplicates, first_year = _resolve_duplicates(originals)
    core, others = _records_of_other_works(core)
    for loser, winner, detail in others:
        duplicates.append((loser, winner, detail))
        if loser.first_publish_year and (
            winner.key not in first_year or loser.first_publish_year < first_year[winner.key]
        ):
            first_year.setdefault(winner.key, loser.first_publish_year)
    for loser, winner, detail in duplicates:
        evidence = _structural("duplicate", "same_work_record", detail)
        out.excluded.append(
            _exclude(loser, "duplicate", detail, kept_under=winner.key, evidence=evidence)
        )
        out.kept_under[loser.key] = winner.key
    return core, first_year


def _resolve_duplicates(
    works: Sequence[WorkCandidate],
) -> tuple[list[WorkCandidate], list[tuple[WorkCandidate, WorkCandidate, str]], dict[str, int]]:
    groups: dict[int, list[WorkCandidate]] = dict(enumerate(_duplicate_groups(works)))
    order = list(groups)
    core: list[WorkCandidate] = []
    duplicates: list[tuple[WorkCandidate, WorkCandidate, str]] = []
    first_year: dict[str, int] = {}
    for key in order:
        group = groups[key]
        winner = max(group, key=_richness)
        core.append(winner)
        years = [w.first_publish_year for w in group if w.first_publish_year]
        if years:
            first_year[winner.key] = min(years)
        for loser in group:
            if loser is winner:
                continue
            duplicates.append((loser, winner, f"another record of {winner.title!r} ({winner.key})"))
    return core, duplicates, first_year


_VOLUME_SUFFIX = re.compile(
    r"[\s:,.;(（\[-]*(?:(?:part|volume|vol\.?|book|buch|band|tome|tomo|libro|parte)\s+"
    r"(?:\d+|one|two|three|four|i{1,3}|iv|eins|zwei|drei)|[上中下]|前編|後編)[)）\]]?\s*$",
    re.IGNORECASE,
)
_VOLUME_TAIL = 24
"""Volume markers end a title: only its last characters are searched."""
_OTHER_STORIES = re.compile(r"\s*(?:,|:)?\s*and other (?:stories|tales|poems)\s*$", re.IGNORECASE)


@functools.lru_cache(maxsize=16384)
def _full_key(title: str) -> str:
    return title_key_full(_OTHER_STORIES.sub("", _ALTERNATE_TITLE.sub("", title))).replace(" ", "")


def _split_main(title: str) -> str:
    return re.split(r"\s*[:(]\s*", title, maxsplit=1)[0]


def _records_of_other_works(
    works: Sequence[WorkCandidate],
) -> tuple[list[WorkCandidate], list[tuple[WorkCandidate, WorkCandidate, str]]]:
    """Records that stand for another listed work under another form of its title: one half of
    a book split in its own language ("… 上", "…: Part One"), a series title over the book's
    own ("Series: Title"), or a title that only one of the other work's editions carries (a
    national or series title, "Don't Look Now" for an edition "Don't Look Now and Other
    Stories" of Not After Midnight)."""
    by_title: dict[str, WorkCandidate] = {}
    for work in works:
        by_title.setdefault(duplicate_key(work.title), work)
    by_edition_title = _by_edition_title(works)
    losers: dict[str, tuple[WorkCandidate, WorkCandidate, str]] = {}
    for work in works:
        found = (
            _part_of(work, by_title)
            or _series_title_over(work, by_title)
            or _edition_title_of(work, by_edition_title)
        )
        if found is not None:
            losers[work.key] = (work, found[0], found[1])
    kept = [w for w in works if w.key not in losers]
    kept_keys = {w.key for w in kept}
    out = [entry for entry in losers.values() if entry[1].key in kept_keys]
    kept += [entry[0] for entry in losers.values() if entry[1].key not in kept_keys]
    return kept, out


def _by_edition_title(works: Sequence[WorkCandidate]) -> dict[str, WorkCandidate]:
    """Each title (and main title) an edition carries and its work does not → that work."""
    found: dict[str, WorkCandidate] = {}
    for work in works:
        others = [t for t in work.edition_titles if t != work.title]
        if not others:
            continue
        own = {_full_key(work.title), duplicate_key(work.title)}
        for edition_title in others:
            for form in (edition_title, _split_main(edition_title)):
                key = _full_key(form)
                if key and key not in own:
                    found.setdefault(key, work)
    return found


def _part_of(
    work: WorkCandidate, by_title: Mapping[str, WorkCandidate]
) -> tuple[WorkCandidate, str] | None:
    """The listed work ``work`` is one volume of ("… 上", "…: Part One")."""
    title = work.full_title
    tail = title[-_VOLUME_TAIL:]
    if _may_end_in_volume(tail):
        tail = _VOLUME_SUFFIX.sub("", tail)
    base = title[:-_VOLUME_TAIL] + tail if len(title) > _VOLUME_TAIL else tail
    if base == title:
        return None
    target = by_title.get(duplicate_key(base))
    if target is None or target is work:
        return None
    return target, f"one part of {target.title!r} ({target.key}), split in its language"


def _series_title_over(
    work: WorkCandidate, by_title: Mapping[str, WorkCandidate]
) -> tuple[WorkCandidate, str] | None:
    """The listed work whose title ``work`` carries under a series title ("Series: Title"),
    when that work's subjects name the series."""
    if ":" not in work.full_title:
        return None
    series, _, rest = work.full_title.partition(":")
    target = by_title.get(duplicate_key(rest))
    series_key = duplicate_key(series)
    if target is None or target is work or not series_key:
        return None
    if not any(series_key in duplicate_key(s) for s in target.subjects):
        return None
    return target, f"the series title over {target.title!r} ({target.key})"


def _edition_title_of(
    work: WorkCandidate, by_edition_title: Mapping[str, WorkCandidate]
) -> tuple[WorkCandidate, str] | None:
    """The listed work, at least as rich, one of whose editions carries ``work``'s title."""
    if not by_edition_title:
        return None
    target = by_edition_title.get(_full_key(work.full_title))
    if target is None or target is work or _richness(target) < _richness(work):
        return None
    return target, f"a title {target.title!r} ({target.key}) has on an edition"


_SUBJECT_SIGNALS = (
    SUBJECT_SIGNALS | _STUDY_SUBJECTS | _BUNDLE_SUBJECTS | _COMPANION_SUBJECTS | _ABOUT_SUBJECTS
)
_TITLE_SIGNALS = re.compile(
    "|".join(
        f"(?:{p.pattern})"
        for p in (COLLECTION_PATTERN, COMPANION_PATTERN, SELECTION_PATTERN, _UNAUTHORIZED_GUIDE)
    ),
    re.IGNORECASE,
)
"""Any title any rule reads: a work whose title matches none of these is quiet by its title."""
_TITLE_SIGNALS_FOLDED = re.compile(_TITLE_SIGNALS.pattern)
assert not re.search(r"[A-Z]", re.sub(r"\\.", "", _TITLE_SIGNALS.pattern))


def _has_title_signal(title: str) -> bool:
    """`_TITLE_SIGNALS` in ``title``; an ASCII title is lower-cased and searched without
    IGNORECASE, the same match at a third of the cost."""
    if title.isascii():
        return _TITLE_SIGNALS_FOLDED.search(title.lower()) is not None
    return _TITLE_SIGNALS.search(title) is not None


_SEPARATOR_CHARS = frozenset(",;/:+&")


def _may_separate(title: str) -> bool:
    """False when `_SEPARATORS` cannot split ``title`` (an ASCII title with none of its marks
    or words), without running it."""
    if not title.isascii() or not _SEPARATOR_CHARS.isdisjoint(title):
        return True
    folded = title.lower()
    return "and" in folded or "with" in folded


_SUBTITLE_MARKS = frozenset(":;-")
"""An ASCII title without one of these has no subtitle for `bookstracker.names` to split off."""
_VOLUME_WORDS = ("part", "vol", "book", "buch", "band", "tom", "libro")


def _may_end_in_volume(tail: str) -> bool:
    """False when `_VOLUME_SUFFIX` cannot match ``tail`` (ASCII, none of its words)."""
    if not tail.isascii():
        return True
    folded = tail.lower()
    return any(word in folded for word in _VOLUME_WORDS)
