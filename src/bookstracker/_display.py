"""How results show themselves: short ``repr``s, HTML for notebooks, rich tables for terminals,
flat records and pandas data frames.

The result types in :mod:`bookstracker.models` and :mod:`bookstracker.metrics` take these mixins as
bases, so this module holds every presentation concern and the models only their data. Nothing
here imports the models (they import this module); rich and pandas are imported when first used.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

from bookstracker._text import terminal_safe

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table

Record = dict[str, object]


# The result types are described, not imported: they import this module (as their bases), and
# no import may run the other way, not even for typing. Each protocol names what is shown.


class Edition(Protocol):
    @property
    def isbn13(self) -> str | None: ...
    @property
    def isbn10(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def authors(self) -> Sequence[str]: ...
    @property
    def publisher(self) -> str | None: ...
    @property
    def published(self) -> str | None: ...
    @property
    def year(self) -> int | None: ...
    @property
    def pages(self) -> int | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def format(self) -> str | None: ...
    @property
    def work_key(self) -> str | None: ...
    @property
    def sources(self) -> Sequence[str]: ...


class _Evidence(Protocol):
    @property
    def uncertain(self) -> bool: ...


class Work(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def first_publish_year(self) -> int | None: ...
    @property
    def openlibrary_key(self) -> str | None: ...
    @property
    def editions(self) -> Sequence[Edition]: ...
    @property
    def sources(self) -> Sequence[str]: ...
    @property
    def evidence(self) -> _Evidence | None: ...


class ProviderReport(Protocol):
    @property
    def status(self) -> str: ...
    @property
    def error(self) -> str | None: ...


class Completeness(Protocol):
    @property
    def author(self) -> str: ...
    @property
    def complete(self) -> bool: ...
    @property
    def expected(self) -> int | None: ...
    @property
    def found(self) -> int: ...
    @property
    def score(self) -> float: ...
    @property
    def evidence(self) -> Mapping[str, object]: ...
    def __rich__(self) -> RenderableType: ...


class _Author(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def openlibrary_key(self) -> str | None: ...
    @property
    def birth_date(self) -> str | None: ...


class _Candidate(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def keys(self) -> Mapping[str, str]: ...
    @property
    def birth_date(self) -> str | None: ...
    @property
    def work_count(self) -> int | None: ...


class _Exclusion(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def key(self) -> str | None: ...
    @property
    def reason(self) -> str: ...
    @property
    def detail(self) -> str: ...
    @property
    def kept_under(self) -> str | None: ...


class Bibliography(Protocol):
    @property
    def author(self) -> _Author: ...
    @property
    def candidates(self) -> Sequence[_Candidate]: ...
    @property
    def works(self) -> Sequence[Work]: ...
    @property
    def excluded(self) -> Sequence[_Exclusion]: ...
    @property
    def completeness(self) -> Completeness | None: ...
    @property
    def stale(self) -> bool: ...
    @property
    def providers(self) -> Mapping[str, ProviderReport]: ...
    def to_records(self, what: str = "works") -> list[Record]: ...


class _Hit(Protocol):
    @property
    def title(self) -> str: ...
    @property
    def authors(self) -> Sequence[str]: ...
    @property
    def first_publish_year(self) -> int | None: ...
    @property
    def isbn13(self) -> Sequence[str]: ...
    @property
    def keys(self) -> Mapping[str, str]: ...
    @property
    def sources(self) -> Sequence[str]: ...
    @property
    def score(self) -> float: ...


class SearchResult(Protocol):
    @property
    def query(self) -> str: ...
    @property
    def hits(self) -> Sequence[_Hit]: ...
    @property
    def providers(self) -> Mapping[str, ProviderReport]: ...
    def to_records(self) -> list[Record]: ...


class IsbnResults(Protocol):
    @property
    def results(self) -> Mapping[str, Edition | None]: ...
    @property
    def invalid(self) -> Sequence[str]: ...
    @property
    def found(self) -> Mapping[str, Edition]: ...
    @property
    def providers(self) -> Mapping[str, ProviderReport]: ...
    def to_records(self) -> list[Record]: ...


class _Latency(Protocol):
    @property
    def p50(self) -> float | None: ...
    @property
    def p95(self) -> float | None: ...
    @property
    def p99(self) -> float | None: ...


class _ProviderFigures(Protocol):
    @property
    def requests(self) -> int: ...
    @property
    def successes(self) -> int: ...
    @property
    def failures(self) -> int: ...
    @property
    def failures_by_kind(self) -> Mapping[str, int]: ...
    @property
    def rate_limited(self) -> int: ...
    @property
    def retries(self) -> int: ...
    @property
    def latency_ms(self) -> _Latency: ...
    @property
    def breaker(self) -> str: ...
    @property
    def breaker_trips(self) -> int: ...
    @property
    def quota_left(self) -> int | None: ...


class _Tier(Protocol):
    @property
    def hits(self) -> int: ...
    @property
    def misses(self) -> int: ...
    @property
    def hit_rate(self) -> float | None: ...
    @property
    def entries(self) -> int: ...
    @property
    def bytes(self) -> int: ...


class Stats(Protocol):
    @property
    def providers(self) -> Mapping[str, _ProviderFigures]: ...
    @property
    def cache(self) -> Mapping[str, _Tier]: ...
    def to_records(self) -> list[Record]: ...


__all__ = [
    "BibliographyDisplay",
    "CompletenessDisplay",
    "EditionDisplay",
    "IsbnResultsDisplay",
    "SearchResultDisplay",
    "StatsDisplay",
    "WorkDisplay",
]


MAX_HTML_ROWS = 200
"""Rows shown in one HTML table; ``to_records()`` and ``to_pandas()`` always give every row."""

_STYLE = (
    "<style>.bookstracker table{margin:.3em 0}.bookstracker caption{text-align:left;"
    "font-weight:bold}.bookstracker .dim{opacity:.7}</style>"
)


# -- helpers -------------------------------------------------------------------------------------


def _e(value: object) -> str:
    import html  # the notebook views only

    return html.escape("" if value is None else str(value))


def _html_table(
    columns: Sequence[str], rows: Iterable[Sequence[object]], *, caption: str | None = None
) -> str:
    body: list[str] = []
    hidden = 0
    for index, row in enumerate(rows):
        if index >= MAX_HTML_ROWS:
            hidden += 1
            continue
        body.append("<tr>" + "".join(f"<td>{_e(cell)}</td>" for cell in row) + "</tr>")
    if hidden:
        body.append(
            f'<tr><td colspan="{len(columns)}" class="dim">… and {hidden} more rows '
            "(to_records() or to_pandas() give them all)</td></tr>"
        )
    head = "".join(f"<th>{_e(c)}</th>" for c in columns)
    title = f"<caption>{_e(caption)}</caption>" if caption else ""
    return f"<table>{title}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _html_block(kind: str, *parts: str) -> str:
    return f'<div class="bookstracker {kind}">{_STYLE}{"".join(parts)}</div>'


def _rich_table(columns: Sequence[str], rows: Iterable[Sequence[object]], title: str) -> Table:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(
        title=Text(terminal_safe(title)), box=box.SIMPLE_HEAD, pad_edge=False, title_justify="left"
    )
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        # Text, not str: a provider's "[bold]" or escape sequence is shown, never obeyed.
        table.add_row(*(Text(terminal_safe("" if cell is None else str(cell))) for cell in row))
    return table


def _rich_group(*renderables: RenderableType | None) -> RenderableType:
    from rich.console import Group

    return Group(*(r for r in renderables if r is not None))


def _rich_text(text: str, style: str = "") -> RenderableType:
    from rich.text import Text

    return Text(terminal_safe(text), style=style)


def _providers_line(reports: Mapping[str, ProviderReport]) -> str:
    return "providers: " + " · ".join(
        f"{name} {report.status}" + (f" ({report.error})" if report.error else "")
        for name, report in reports.items()
    )


def _born(birth_date: str | None) -> str | None:
    year = re.search(r"\b(\d{3,4})\b", birth_date or "")
    return f"born {year.group(1)}" if year else None


def _pandas(records: list[Record]) -> Any:
    try:
        pandas = importlib.import_module("pandas")
    except ImportError as exc:
        raise ImportError("to_pandas() needs pandas: pip install 'bookstracker[pandas]'") from exc
    return pandas.DataFrame.from_records(records)


def _joined(values: Iterable[str], sep: str = ", ") -> str:
    return sep.join(values)


# -- editions and works --------------------------------------------------------------------------

_EDITION_COLUMNS = ("isbn13", "published", "language", "format", "publisher", "pages", "sources")


def _edition_row(edition: Edition) -> tuple[object, ...]:
    return (
        edition.isbn13 or edition.isbn10,
        edition.published,
        edition.language,
        edition.format,
        edition.publisher,
        edition.pages,
        _joined(edition.sources, ","),
    )


def _edition_record(edition: Edition) -> Record:
    return {
        "isbn13": edition.isbn13,
        "isbn10": edition.isbn10,
        "title": edition.title,
        "authors": _joined(edition.authors),
        "publisher": edition.publisher,
        "published": edition.published,
        "year": edition.year,
        "pages": edition.pages,
        "language": edition.language,
        "format": edition.format,
        "work_key": edition.work_key,
        "sources": _joined(edition.sources, ","),
    }


class EditionDisplay:
    """``repr``, HTML and rich views of one :class:`~bookstracker.Edition`."""

    __slots__ = ()

    def __repr__(self) -> str:
        data = cast("Edition", self)
        about = [data.isbn13 or data.isbn10 or "no ISBN", repr(data.title)]
        about += [v for v in (data.publisher, data.published, data.language, data.format) if v]
        return f"<Edition {' '.join(about)}>"

    def to_record(self) -> Record:
        """The edition as one flat dict (lists joined into strings)."""
        data = cast("Edition", self)
        return _edition_record(data)

    def _repr_html_(self) -> str:
        data = cast("Edition", self)
        record = _edition_record(data)
        rows = [(k, v) for k, v in record.items() if v not in (None, "")]
        return _html_block("edition", _html_table(("field", "value"), rows, caption=data.title))

    def __rich__(self) -> RenderableType:
        data = cast("Edition", self)
        record = _edition_record(data)
        rows = [(k, v) for k, v in record.items() if v not in (None, "")]
        return _rich_table(("field", "value"), rows, data.title)


class WorkDisplay:
    """``repr``, HTML and rich views of one :class:`~bookstracker.Work` and its editions."""

    __slots__ = ()

    def __repr__(self) -> str:
        data = cast("Work", self)
        about = [str(data.first_publish_year) if data.first_publish_year else "year unknown"]
        if data.openlibrary_key:
            about.append(data.openlibrary_key)
        return (
            f"<Work {data.title!r} ({', '.join(about)}): {len(data.editions)} editions, "
            f"from {_joined(data.sources, ',') or 'nowhere'}>"
        )

    def _repr_html_(self) -> str:
        data = cast("Work", self)
        caption = f"{data.title} ({data.first_publish_year or '?'}): {len(data.editions)} editions"
        table = _html_table(_EDITION_COLUMNS, map(_edition_row, data.editions), caption=caption)
        return _html_block("work", table)

    def __rich__(self) -> RenderableType:
        data = cast("Work", self)
        caption = f"{data.title} ({data.first_publish_year or '?'}): {len(data.editions)} editions"
        return _rich_table(_EDITION_COLUMNS, map(_edition_row, data.editions), caption)


# -- completeness --------------------------------------------------------------------------------


def _completeness_line(completeness: Completeness) -> str:
    verdict = "complete" if completeness.complete else "not known to be complete"
    expected = "?" if completeness.expected is None else completeness.expected
    return (
        f"completeness {completeness.score:.2f} ({verdict}): OpenLibrary lists {expected} works, "
        f"{completeness.found} fetched"
    )


def _parts(completeness: Completeness) -> list[tuple[str, object]]:
    parts = completeness.evidence.get("parts") or {}
    return list(parts.items()) if isinstance(parts, Mapping) else []


class CompletenessDisplay:
    """``repr``, HTML and rich views of a :class:`~bookstracker.Completeness` and its parts."""

    __slots__ = ()

    def __repr__(self) -> str:
        data = cast("Completeness", self)
        verdict = "complete" if data.complete else "incomplete"
        expected = "?" if data.expected is None else data.expected
        return (
            f"<Completeness {data.author!r}: {data.score:.2f} {verdict}, "
            f"{data.found} of {expected} works>"
        )

    def _repr_html_(self) -> str:
        data = cast("Completeness", self)
        return _html_block(
            "completeness",
            f"<p>{_e(_completeness_line(data))}</p>",
            _html_table(("part", "score"), _parts(data), caption="Completeness parts"),
        )

    def __rich__(self) -> RenderableType:
        data = cast("Completeness", self)
        return _rich_group(
            _rich_text(_completeness_line(data)),
            _rich_table(("part", "score"), _parts(data), "Completeness parts"),
        )


# -- bibliographies ------------------------------------------------------------------------------

_WORK_COLUMNS = ("year", "title", "key", "editions", "languages", "sources")
_EXCLUDED_COLUMNS = ("reason", "title", "key", "kept under", "why")
_RECORD_KINDS = ("works", "editions", "excluded")


def _languages(work: Work) -> str:
    return _joined(sorted({e.language for e in work.editions if e.language}), ",")


def _flagged_title(work: Work) -> str:
    """The title, marked when the filter's signals pointed both ways."""
    evidence = work.evidence
    return (
        f"{work.title} (uncertain)" if evidence is not None and evidence.uncertain else work.title
    )


def _work_row(work: Work) -> tuple[object, ...]:
    return (
        work.first_publish_year,
        _flagged_title(work),
        work.openlibrary_key,
        len(work.editions),
        _languages(work),
        _joined(work.sources, ","),
    )


def _author_line(bib: Bibliography) -> str:
    about = [v for v in (bib.author.openlibrary_key, _born(bib.author.birth_date)) if v]
    return str(bib.author.name) + (f" ({', '.join(about)})" if about else "")


def _candidates_line(bib: Bibliography) -> str | None:
    key = bib.author.openlibrary_key
    others = [c for c in bib.candidates if c.keys.get("openlibrary") != key]
    if not others:
        return None
    described = []
    for candidate in others:
        about = [candidate.keys.get("openlibrary") or "no key", _born(candidate.birth_date)]
        about.append(f"{candidate.work_count or 0} works")
        described.append(f"{candidate.name} ({', '.join(a for a in about if a)})")
    return "other candidates (ask by key for one of them): " + "; ".join(described)


class BibliographyDisplay:
    """``repr``, HTML, rich, records and pandas views of a :class:`~bookstracker.Bibliography`."""

    __slots__ = ()

    def __repr__(self) -> str:
        data = cast("Bibliography", self)
        key = f" ({data.author.openlibrary_key})" if data.author.openlibrary_key else ""
        editions = sum(len(w.editions) for w in data.works)
        text = (
            f"<Bibliography {data.author.name!r}{key}: {len(data.works)} works, "
            f"{editions} editions, {len(data.excluded)} excluded"
        )
        if data.completeness is not None:
            text += f", completeness {data.completeness.score:.2f}"
        return text + (", stale>" if data.stale else ">")

    def to_records(self, what: str = "works") -> list[Record]:
        """Flat dicts for a data frame: one per core work (``"works"``), per edition of a core
        work (``"editions"``, with the work's title and key), or per excluded work
        (``"excluded"``, with the reason and why)."""
        data = cast("Bibliography", self)
        if what == "works":
            return [
                {
                    "title": w.title,
                    "first_publish_year": w.first_publish_year,
                    "openlibrary_key": w.openlibrary_key,
                    "editions": len(w.editions),
                    "languages": _languages(w),
                    "sources": _joined(w.sources, ","),
                }
                for w in data.works
            ]
        if what == "editions":
            return [
                {"work": w.title, "work_key": w.openlibrary_key, **_edition_record(e)}
                for w in data.works
                for e in w.editions
            ]
        if what == "excluded":
            return [
                {
                    "title": x.title,
                    "key": x.key,
                    "reason": x.reason,
                    "detail": x.detail,
                    "kept_under": x.kept_under,
                }
                for x in data.excluded
            ]
        raise ValueError(f"to_records() gives works, editions or excluded, not {what!r}")

    def to_pandas(self, what: str = "works") -> Any:
        """``to_records(what)`` as a ``pandas.DataFrame``; needs the ``pandas`` extra
        (``pip install 'bookstracker[pandas]'``)."""
        data = cast("Bibliography", self)
        return _pandas(data.to_records(what))

    def _repr_html_(self) -> str:
        data = cast("Bibliography", self)
        parts = [f"<p><strong>{_e(_author_line(data))}</strong></p>"]
        candidates = _candidates_line(data)
        if candidates:
            parts.append(f'<p class="dim">{_e(candidates)}</p>')
        editions = sum(len(w.editions) for w in data.works)
        parts.append(
            _html_table(
                _WORK_COLUMNS,
                map(_work_row, data.works),
                caption=f"Core works ({len(data.works)}, {editions} editions)",
            )
        )
        if data.excluded:
            parts.append(
                _html_table(
                    _EXCLUDED_COLUMNS,
                    ((x.reason, x.title, x.key, x.kept_under, x.detail) for x in data.excluded),
                    caption=f"Excluded ({len(data.excluded)})",
                )
            )
        if data.completeness is not None:
            parts.append(f"<p>{_e(_completeness_line(data.completeness))}</p>")
            parts.append(_html_table(("part", "score"), _parts(data.completeness), caption="Parts"))
        if data.stale:
            parts.append("<p>every provider failed; this is a stale cached answer</p>")
        parts.append(f'<p class="dim">{_e(_providers_line(data.providers))}</p>')
        return _html_block("bibliography", *parts)

    def __rich__(self) -> RenderableType:
        data = cast("Bibliography", self)
        candidates = _candidates_line(data)
        excluded = (
            _rich_table(
                _EXCLUDED_COLUMNS,
                ((x.reason, x.title, x.key, x.kept_under, x.detail) for x in data.excluded),
                f"Excluded ({len(data.excluded)})",
            )
            if data.excluded
            else None
        )
        return _rich_group(
            _rich_text(_author_line(data), "bold"),
            _rich_text(candidates, "dim") if candidates else None,
            _rich_table(
                _WORK_COLUMNS, map(_work_row, data.works), f"Core works ({len(data.works)})"
            ),
            excluded,
            data.completeness.__rich__() if data.completeness is not None else None,
            _rich_text(_providers_line(data.providers), "dim"),
        )


# -- search results and ISBN batches -------------------------------------------------------------

_HIT_COLUMNS = ("#", "title", "authors", "year", "isbn13", "sources")


def _hit_rows(result: SearchResult) -> Iterable[tuple[object, ...]]:
    for index, hit in enumerate(result.hits, 1):
        yield (
            index,
            hit.title,
            _joined(hit.authors[:3]),
            hit.first_publish_year,
            hit.isbn13[0] if hit.isbn13 else None,
            _joined(hit.sources, ","),
        )


class SearchResultDisplay:
    """``repr``, HTML, rich, records and pandas views of a :class:`~bookstracker.SearchResult`."""

    __slots__ = ()

    def __repr__(self) -> str:
        data = cast("SearchResult", self)
        statuses = ", ".join(f"{n} {r.status}" for n, r in data.providers.items())
        return f"<SearchResult {data.query!r}: {len(data.hits)} hits ({statuses})>"

    def to_records(self) -> list[Record]:
        """One flat dict per hit, in rank order."""
        data = cast("SearchResult", self)
        return [
            {
                "rank": index,
                "title": hit.title,
                "authors": _joined(hit.authors),
                "first_publish_year": hit.first_publish_year,
                "isbn13": hit.isbn13[0] if hit.isbn13 else None,
                "openlibrary_key": hit.keys.get("openlibrary"),
                "googlebooks_id": hit.keys.get("googlebooks"),
                "sources": _joined(hit.sources, ","),
                "score": hit.score,
            }
            for index, hit in enumerate(data.hits, 1)
        ]

    def to_pandas(self) -> Any:
        """``to_records()`` as a ``pandas.DataFrame`` (``pip install 'bookstracker[pandas]'``)."""
        data = cast("SearchResult", self)
        return _pandas(data.to_records())

    def _repr_html_(self) -> str:
        data = cast("SearchResult", self)
        return _html_block(
            "search",
            _html_table(_HIT_COLUMNS, _hit_rows(data), caption=f"Search: {data.query}"),
            f'<p class="dim">{_e(_providers_line(data.providers))}</p>',
        )

    def __rich__(self) -> RenderableType:
        data = cast("SearchResult", self)
        return _rich_group(
            _rich_table(_HIT_COLUMNS, _hit_rows(data), f"Search: {data.query}"),
            _rich_text(_providers_line(data.providers), "dim"),
        )


_ISBN_COLUMNS = ("isbn", "title", "authors", "publisher", "published", "language", "format")


def _isbn_rows(result: IsbnResults) -> Iterable[tuple[object, ...]]:
    for given, edition in result.results.items():
        if edition is None:
            yield (given, "(not found)", None, None, None, None, None)
        else:
            yield (
                given,
                edition.title,
                _joined(edition.authors[:3]),
                edition.publisher,
                edition.published,
                edition.language,
                edition.format,
            )


class IsbnResultsDisplay:
    """``repr``, HTML, rich, records and pandas views of an ISBN batch's results."""

    __slots__ = ()

    def __repr__(self) -> str:
        data = cast("IsbnResults", self)
        invalid = f", {len(data.invalid)} invalid" if data.invalid else ""
        return f"<IsbnResults: {len(data.found)} of {len(data.results)} found{invalid}>"

    def to_records(self) -> list[Record]:
        """One flat dict per valid ISBN as given, with ``found`` and the edition's fields."""
        data = cast("IsbnResults", self)
        records = []
        for given, edition in data.results.items():
            record: Record = {"isbn": given, "found": edition is not None}
            if edition is not None:
                record.update(_edition_record(edition))
            records.append(record)
        return records

    def to_pandas(self) -> Any:
        """``to_records()`` as a ``pandas.DataFrame`` (``pip install 'bookstracker[pandas]'``)."""
        data = cast("IsbnResults", self)
        return _pandas(data.to_records())

    def _repr_html_(self) -> str:
        data = cast("IsbnResults", self)
        invalid = f"<p>invalid ISBNs: {_e(', '.join(data.invalid))}</p>" if data.invalid else ""
        return _html_block(
            "isbns",
            _html_table(_ISBN_COLUMNS, _isbn_rows(data), caption="ISBN lookup"),
            invalid,
            f'<p class="dim">{_e(_providers_line(data.providers))}</p>',
        )

    def __rich__(self) -> RenderableType:
        data = cast("IsbnResults", self)
        invalid = "invalid ISBNs: " + ", ".join(data.invalid) if data.invalid else None
        return _rich_group(
            _rich_table(_ISBN_COLUMNS, _isbn_rows(data), "ISBN lookup"),
            _rich_text(invalid) if invalid else None,
            _rich_text(_providers_line(data.providers), "dim"),
        )


# -- run figures ---------------------------------------------------------------------------------

STATS_COLUMNS = (
    "provider",
    "requests",
    "ok",
    "failed",
    "429",
    "retries",
    "p50",
    "p95",
    "p99",
    "breaker",
    "quota left",
)
CACHE_COLUMNS = ("tier", "hits", "misses", "hit rate", "entries", "bytes")


def _ms(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


def stats_rows(stats: Stats) -> list[tuple[str, ...]]:
    """One row per provider, in ``STATS_COLUMNS`` order (latencies in ms)."""
    rows: list[tuple[str, ...]] = []
    for name, figures in stats.providers.items():
        latency = figures.latency_ms
        kinds = ", ".join(f"{k} {v}" for k, v in figures.failures_by_kind.items())
        rows.append(
            (
                name,
                str(figures.requests),
                str(figures.successes),
                f"{figures.failures} ({kinds})" if kinds else str(figures.failures),
                str(figures.rate_limited),
                str(figures.retries),
                _ms(latency.p50),
                _ms(latency.p95),
                _ms(latency.p99),
                figures.breaker
                + (f" ({figures.breaker_trips} trips)" if figures.breaker_trips else ""),
                "" if figures.quota_left is None else str(figures.quota_left),
            )
        )
    return rows


def cache_rows(stats: Stats) -> list[tuple[str, ...]]:
    """One row per cache tier, in ``CACHE_COLUMNS`` order."""
    return [
        (
            tier,
            str(data.hits),
            str(data.misses),
            "" if data.hit_rate is None else f"{data.hit_rate:.1%}",
            str(data.entries),
            str(data.bytes),
        )
        for tier, data in stats.cache.items()
    ]


class StatsDisplay:
    """``repr``, HTML, rich, records and pandas views of the run figures."""

    __slots__ = ()

    def __repr__(self) -> str:
        data = cast("Stats", self)
        requests = ", ".join(f"{n} {p.requests}" for n, p in data.providers.items())
        tiers = ", ".join(data.cache) or "off"
        return f"<Stats: requests {requests or 'none'}; cache {tiers}>"

    def to_records(self) -> list[Record]:
        """One flat dict per provider: requests, outcomes, latency percentiles, breaker."""
        data = cast("Stats", self)
        return [
            {
                "provider": name,
                "requests": p.requests,
                "successes": p.successes,
                "failures": p.failures,
                "rate_limited": p.rate_limited,
                "retries": p.retries,
                "p50_ms": p.latency_ms.p50,
                "p95_ms": p.latency_ms.p95,
                "p99_ms": p.latency_ms.p99,
                "breaker": p.breaker,
                "quota_left": p.quota_left,
            }
            for name, p in data.providers.items()
        ]

    def to_pandas(self) -> Any:
        """``to_records()`` as a ``pandas.DataFrame`` (``pip install 'bookstracker[pandas]'``)."""
        data = cast("Stats", self)
        return _pandas(data.to_records())

    def _repr_html_(self) -> str:
        data = cast("Stats", self)
        parts = [
            _html_table(STATS_COLUMNS, stats_rows(data), caption="Run figures (latency in ms)")
        ]
        if data.cache:
            parts.append(_html_table(CACHE_COLUMNS, cache_rows(data), caption="Cache"))
        return _html_block("stats", *parts)

    def __rich__(self) -> RenderableType:
        data = cast("Stats", self)
        return _rich_group(
            _rich_table(STATS_COLUMNS, stats_rows(data), "Run figures (latency in ms)"),
            _rich_table(CACHE_COLUMNS, cache_rows(data), "Cache") if data.cache else None,
        )
