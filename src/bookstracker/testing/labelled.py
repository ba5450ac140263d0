"""Labelled catalogs: load one, serve it through the fakes, and score bibliographies against it.

A labelled catalog is a JSON document ``{"authors": [author]}`` where each author holds its
``works`` and each work its ``editions`` (the format of the project's development catalog):

- author: ``ol_key``, ``name``, ``alternate_names``, ``birth_date``, ``top_subjects``, ``works``;
- work: ``ol_key``, ``title``, ``subtitle``, ``first_publish_year``, ``authors`` (keys),
  ``subjects``, ``truth``, ``truth_of`` (a key or a list of keys), ``editions``;
- edition: ``ol_key``, ``isbn13``, ``isbn10``, ``title``, ``publisher``, ``publish_date``,
  ``pages``, ``language`` (OpenLibrary/MARC codes such as ``eng``), ``format``, ``in`` (the
  providers that know it), ``gb_id``.

`load_labelled_catalog` turns it into a :class:`~bookstracker.testing.Catalog` the fakes serve
(``truth`` is kept on the records for tests, and the fakes never serve it) and keeps the answer
key beside it. `score_bibliographies` measures author documents (the ``--json author`` output)
against that key, with the same figures as the catalog's ``score.py``: precision and recall of
core works (a core work and its duplicates count once), excluded works given the right reason,
and core works that some provider has an edition of returned with editions.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import attrs

from bookstracker.languages import to_iso639_1
from bookstracker.models import Bibliography
from bookstracker.testing._fake import FakeProvider
from bookstracker.testing.catalog import (
    Catalog,
    CatalogAuthor,
    CatalogEdition,
    CatalogWork,
)
from bookstracker.testing.fake_googlebooks import FakeGoogleBooks
from bookstracker.testing.fake_isbndb import FakeISBNdb
from bookstracker.testing.fake_openlibrary import FakeOpenLibrary

__all__ = [
    "AuthorLookup",
    "AuthorScore",
    "LabelledCatalog",
    "LabelledWork",
    "author_documents",
    "format_scores",
    "labelled_fakes",
    "load_labelled_catalog",
    "parse_labelled_catalog",
    "score_bibliographies",
    "score_bibliography",
    "totals",
]

MAX_CATALOG_BYTES = 64 * 1024 * 1024
_TRUTHS = frozenset(
    {"core", "translation", "collection", "companion", "duplicate", "not-by-author"}
)
_KEY = re.compile(r"OL\d+[AWM]")


@attrs.frozen(kw_only=True)
class LabelledWork:
    """The answer key for one work: its verdict, what it mirrors, and who it is credited to."""

    key: str
    title: str
    authors: tuple[str, ...]
    truth: str
    truth_of: tuple[str, ...]
    has_provider_edition: bool


@attrs.frozen(kw_only=True)
class LabelledCatalog:
    """A catalog for the fakes, with its answer key and the author records' names."""

    catalog: Catalog
    works: tuple[LabelledWork, ...]
    author_names: Mapping[str, str] = attrs.field(factory=dict, hash=False)
    alternate_names: Mapping[str, tuple[str, ...]] = attrs.field(factory=dict, hash=False)

    @property
    def author_keys(self) -> tuple[str, ...]:
        """Every author record that has works credited to it."""
        credited = {key for work in self.works for key in work.authors}
        return tuple(key for key in self.author_names if key in credited)


def load_labelled_catalog(path: str | os.PathLike[str]) -> LabelledCatalog:
    """Read a labelled catalog file; `ValueError` for a malformed or oversized one."""
    file = Path(path)
    if file.stat().st_size > MAX_CATALOG_BYTES:
        raise ValueError(f"invalid catalog: {file} is larger than {MAX_CATALOG_BYTES} bytes")
    with file.open(encoding="utf-8") as handle:
        try:
            data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise ValueError(f"invalid catalog: {file} is not JSON ({exc})") from exc
    return parse_labelled_catalog(data)


def _text(value: Any, where: str, *, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        raise ValueError(f"invalid catalog: {where} is not a string")
    return value


def _texts(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"invalid catalog: {where} is not a list of strings")
    return tuple(value)


def _int(value: Any, where: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"invalid catalog: {where} is not an integer")
    return value


def _objects(value: Any, where: str) -> list[Mapping[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ValueError(f"invalid catalog: {where} is not a list of objects")
    return value


def _edition(data: Mapping[str, Any], where: str) -> CatalogEdition:
    key = _text(data.get("ol_key"), f"{where}.ol_key", required=True) or ""
    language = _text(data.get("language"), f"{where}.language")
    return CatalogEdition(
        id=key,
        title=_text(data.get("title"), f"{where}.title", required=True) or "",
        isbn13=_text(data.get("isbn13"), f"{where}.isbn13"),
        isbn10=_text(data.get("isbn10"), f"{where}.isbn10"),
        publisher=_text(data.get("publisher"), f"{where}.publisher"),
        publish_date=_text(data.get("publish_date"), f"{where}.publish_date"),
        pages=_int(data.get("pages"), f"{where}.pages"),
        language=to_iso639_1(language) if language else None,
        format=_text(data.get("format"), f"{where}.format"),
        google_id=_text(data.get("gb_id"), f"{where}.gb_id"),
        providers=frozenset(_texts(data.get("in"), f"{where}.in")),
    )


def parse_labelled_catalog(data: Any) -> LabelledCatalog:
    """The labelled catalog in ``data`` (the parsed JSON document)."""
    if not isinstance(data, Mapping):
        raise ValueError("invalid catalog: the document is not an object")
    authors: list[CatalogAuthor] = []
    works: list[CatalogWork] = []
    labels: list[LabelledWork] = []
    names: dict[str, str] = {}
    alternates: dict[str, tuple[str, ...]] = {}
    for index, author in enumerate(_objects(data.get("authors"), "authors")):
        where = f"authors[{index}]"
        key = _text(author.get("ol_key"), f"{where}.ol_key", required=True) or ""
        name = _text(author.get("name"), f"{where}.name", required=True) or ""
        alternate = _texts(author.get("alternate_names"), f"{where}.alternate_names")
        names[key] = name
        alternates[key] = alternate
        authors.append(
            CatalogAuthor(
                id=key,
                name=name,
                alternate_names=alternate,
                birth_date=_text(author.get("birth_date"), f"{where}.birth_date"),
                top_subjects=_texts(author.get("top_subjects"), f"{where}.top_subjects"),
            )
        )
        for w_index, work in enumerate(_objects(author.get("works"), f"{where}.works")):
            w_where = f"{where}.works[{w_index}]"
            w_key = _text(work.get("ol_key"), f"{w_where}.ol_key", required=True) or ""
            truth = work.get("truth", "core")
            if truth not in _TRUTHS:
                raise ValueError(f"invalid catalog: {w_where}.truth is {truth!r}")
            raw_of = work.get("truth_of")
            truth_of = _texts(raw_of, f"{w_where}.truth_of") if isinstance(raw_of, list) else ()
            if isinstance(raw_of, str):
                truth_of = (raw_of,)
            editions = [
                _edition(e, f"{w_where}.editions[{i}]")
                for i, e in enumerate(_objects(work.get("editions"), f"{w_where}.editions"))
            ]
            credited = _texts(work.get("authors"), f"{w_where}.authors") or (key,)
            title = _text(work.get("title"), f"{w_where}.title", required=True) or ""
            works.append(
                CatalogWork(
                    id=w_key,
                    title=title,
                    subtitle=_text(work.get("subtitle"), f"{w_where}.subtitle"),
                    author_ids=credited,
                    first_publish_year=_int(
                        work.get("first_publish_year"), f"{w_where}.first_publish_year"
                    ),
                    subjects=_texts(work.get("subjects"), f"{w_where}.subjects"),
                    editions=editions,
                    truth=truth,
                )
            )
            labels.append(
                LabelledWork(
                    key=w_key,
                    title=title,
                    authors=credited,
                    truth=truth,
                    truth_of=truth_of,
                    has_provider_edition=bool(editions),
                )
            )
    return LabelledCatalog(
        catalog=Catalog(authors, works),
        works=tuple(labels),
        author_names=names,
        alternate_names=alternates,
    )


def labelled_fakes(
    labelled: LabelledCatalog, *, isbndb_key: str = "test-key"
) -> dict[str, FakeProvider]:
    """The three fakes serving ``labelled`` (the verdicts are never served)."""
    return {
        "openlibrary": FakeOpenLibrary(labelled.catalog),
        "googlebooks": FakeGoogleBooks(labelled.catalog),
        "isbndb": FakeISBNdb(labelled.catalog, api_key=isbndb_key),
    }


async def author_documents(
    labelled: LabelledCatalog, client: AuthorLookup
) -> dict[str, dict[str, Any]]:
    """The ``author`` JSON document of every author record with works, by key."""
    out: dict[str, dict[str, Any]] = {}
    for key in labelled.author_keys:
        bibliography = await client.author(key)
        out[key] = bibliography.to_dict()
    return out


class AuthorLookup(Protocol):
    """What `author_documents` needs of a client."""

    async def author(self, name: str) -> Bibliography: ...


# -- scoring ---------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class AuthorScore:
    """One author document measured against the answer key."""

    key: str
    name: str
    tp: int
    returned: int
    core: int
    right: int
    want: int
    ed_have: int
    ed_need: int
    extra: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    wrong: tuple[str, ...] = ()

    @property
    def precision(self) -> float:
        return self.tp / self.returned if self.returned else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.core if self.core else 1.0


def _bare(value: object) -> str | None:
    match = _KEY.search(str(value or ""))
    return match.group(0) if match else None


def _pen_names(key: str, labelled: LabelledCatalog) -> list[str]:
    mine = {n.casefold() for n in labelled.alternate_names.get(key, ())}
    name = labelled.author_names[key].casefold()
    return [
        other
        for other, other_name in labelled.author_names.items()
        if other != key
        and other_name.casefold() in mine
        and name in {n.casefold() for n in labelled.alternate_names.get(other, ())}
    ]


def score_bibliography(
    key: str, document: Mapping[str, Any], labelled: LabelledCatalog
) -> AuthorScore:
    """Score one author document (``--json author`` output) for the author record ``key``."""

    def credited(author: str) -> list[LabelledWork]:
        return [w for w in labelled.works if author in w.authors]

    def n_core(author: str) -> int:
        return sum(1 for w in credited(author) if w.truth == "core")

    own = credited(key)
    pool = list(own)
    for pen in _pen_names(key, labelled):
        if n_core(pen) < n_core(key):
            pool += [w for w in credited(pen) if w not in pool]
    clusters: dict[str, set[str]] = {}
    for work in pool:
        if work.truth == "core":
            clusters.setdefault(work.key, set()).add(work.key)
    for work in pool:
        if work.truth == "duplicate" and work.truth_of and work.truth_of[0] in clusters:
            clusters[work.truth_of[0]].add(work.key)
    member = {k: core for core, keys in clusters.items() for k in keys}
    returned_works = [w for w in document.get("works", []) if isinstance(w, Mapping)]
    returned = [_bare((w.get("keys") or {}).get("openlibrary")) for w in returned_works]
    hit: set[str] = set()
    for k in returned:
        core = member.get(k or "")
        if core:
            hit.add(core)
    excluded = {
        _bare(e.get("key")): e.get("reason")
        for e in document.get("excluded", [])
        if isinstance(e, Mapping)
    }
    chosen = {k for k in returned if k}
    want = right = 0
    wrong: list[str] = []
    for work in own:
        if work.truth == "core" or work.key in chosen:
            continue
        want += 1
        got = excluded.get(work.key)
        if got == work.truth:
            right += 1
        else:
            wrong.append(f"{work.title!r}: want {work.truth}, got {got}")
    by_doc = {k: w for k, w in zip(returned, returned_works, strict=True) if k}
    has_edition = {w.key for w in labelled.works if w.has_provider_edition}
    ed_need = ed_have = 0
    for keys in clusters.values():
        if not keys & has_edition:
            continue
        ed_need += 1
        got = next((by_doc[k] for k in keys if k in by_doc), None)
        ed_have += bool(got and got.get("editions"))
    titles = {w.key: w.title for w in labelled.works}
    return AuthorScore(
        key=key,
        name=labelled.author_names.get(key, key),
        tp=len(hit),
        returned=len(returned),
        core=len(clusters),
        right=right,
        want=want,
        ed_have=ed_have,
        ed_need=ed_need,
        extra=tuple(
            str(w.get("title"))
            for w, k in zip(returned_works, returned, strict=True)
            if member.get(k or "") is None
        ),
        missing=tuple(titles[c] for c in clusters if c not in hit),
        wrong=tuple(wrong),
    )


def score_bibliographies(
    documents: Mapping[str, Mapping[str, Any]], labelled: LabelledCatalog
) -> list[AuthorScore]:
    """Scores for every author record that has a document, in the catalog's order."""
    return [
        score_bibliography(key, documents[key], labelled)
        for key in labelled.author_names
        if key in documents
    ]


def format_scores(scores: Sequence[AuthorScore], *, verbose: bool = False) -> str:
    """The table ``score.py`` prints: one line per author, then the totals."""
    lines: list[str] = []
    for s in scores:
        lines.append(
            f"{s.name} ({s.key}): P={s.precision:.2f} R={s.recall:.2f} "
            f"reasons={s.right}/{s.want} editions={s.ed_have}/{s.ed_need}"
        )
        if verbose:
            lines.extend(f"    extra: {t!r}" for t in s.extra)
            lines.extend(f"    missing: {t!r}" for t in s.missing)
            lines.extend(f"    reason: {t}" for t in s.wrong)
    total = totals(scores)
    lines.append(
        f"TOTAL: P={total['precision']:.3f} R={total['recall']:.3f} "
        f"reasons={total['right']}/{total['want']} editions={total['ed_have']}/{total['ed_need']}"
    )
    return "\n".join(lines)


def totals(scores: Iterable[AuthorScore]) -> dict[str, Any]:
    """Summed counts with overall precision, recall, reason share and edition share."""
    sums = dict.fromkeys(("tp", "returned", "core", "right", "want", "ed_have", "ed_need"), 0)
    for s in scores:
        for name in sums:
            sums[name] += getattr(s, name)
    out: dict[str, Any] = dict(sums)
    out["precision"] = sums["tp"] / sums["returned"] if sums["returned"] else 0.0
    out["recall"] = sums["tp"] / sums["core"] if sums["core"] else 1.0
    out["reasons"] = sums["right"] / sums["want"] if sums["want"] else 1.0
    out["editions"] = sums["ed_have"] / sums["ed_need"] if sums["ed_need"] else 1.0
    return out
