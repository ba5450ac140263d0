"""A fake OpenLibrary that answers from a `Catalog` in OpenLibrary's real wire format.

Only editions whose ``providers`` include ``"openlibrary"`` exist here; a work whose editions
are all unknown to OpenLibrary is still served as a work (with ``edition_count`` 0).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar
from urllib.parse import urlencode

import attrs

from bookstracker._patterns import LazyPattern
from bookstracker.errors import InvalidISBN
from bookstracker.isbn import isbn_pair
from bookstracker.languages import to_marc
from bookstracker.names import name_tokens, names_match, title_key, to_ascii
from bookstracker.testing._fake import FakeProvider, FakeRequest, FakeResponse
from bookstracker.testing.catalog import Catalog, CatalogAuthor, CatalogEdition, CatalogWork

__all__ = ["RATE_LIMIT_BODY", "FakeOpenLibrary"]

RATE_LIMIT_BODY = {
    "status": 429,
    "message": "Too Many Requests. Consider using https://openlibrary.org/developers/dumps.",
}
SITE = "https://openlibrary.org"
COVERS = "https://covers.openlibrary.org"
DOCUMENTATION_URL = "https://openlibrary.org/dev/docs/api/search"
SEARCH_DEFAULT_LIMIT = 100
LIST_DEFAULT_LIMIT = 50
LIST_MAX_LIMIT = 1000

# WorkSearchScheme.default_fetched_fields (the FastAPI handler's default since 2025).
DEFAULT_SEARCH_FIELDS = (
    "key",
    "title",
    "subtitle",
    "author_name",
    "author_key",
    "edition_count",
    "first_publish_year",
    "cover_i",
    "cover_edition_key",
    "language",
    "ebook_access",
    "has_fulltext",
    "public_scan_b",
)

_TOKEN = LazyPattern(r"[a-z0-9]+")
_TERM = LazyPattern(r'(?:(?P<field>[A-Za-z_]+):)?(?P<value>"[^"]*"|\([^)]*\)|\S+)')
_DIGITS = LazyPattern(r"\d+")
_EPOCH = dt.datetime(2008, 4, 1, 3, 28, 50, 625462)


def _tokens(text: str | None) -> set[str]:
    if not text:
        return set()
    return set(_TOKEN.findall(to_ascii(text).lower()))


def _number(record_id: str) -> int:
    match = _DIGITS.search(record_id)
    return int(match.group(0)) if match else 0


def _datetime(value: dt.datetime) -> dict[str, str]:
    return {"type": "/type/datetime", "value": value.isoformat(timespec="microseconds")}


def _stamps(record_id: str) -> dict[str, Any]:
    """Deterministic ``created``/``last_modified``/``revision`` for a record id."""
    number = _number(record_id)
    created = _EPOCH + dt.timedelta(days=number % 3000, seconds=number % 86_400)
    modified = created + dt.timedelta(days=30 + number % 900, seconds=number % 3_600)
    revision = 1 + number % 17
    return {
        "latest_revision": revision,
        "revision": revision,
        "created": _datetime(created),
        "last_modified": _datetime(modified),
    }


def _typed_text(record_id: str, text: str) -> Any:
    """Typed ``{"type": "/type/text", "value"}`` on even ids, a plain string on odd ones."""
    if _number(record_id) % 2 == 0:
        return {"type": "/type/text", "value": text}
    return text


def _slug(title: str) -> str:
    return re.sub(r"\W+", "_", title).strip("_") or "book"


def _by_statement(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0] + "."
    return ", ".join(names[:-1]) + " and " + names[-1] + "."


def _detail(
    kind: str, name: str, msg: str, value: str, ctx: Mapping[str, Any] | None = None
) -> FakeResponse:
    """FastAPI's 422 validation body."""
    item: dict[str, Any] = {"type": kind, "loc": ["query", name], "msg": msg, "input": value}
    if ctx is not None:
        item["ctx"] = dict(ctx)
    return FakeResponse.json({"detail": [item]}, 422)


class _BadParamError(Exception):
    def __init__(self, response: FakeResponse) -> None:
        super().__init__("bad parameter")
        self.response = response


def _int_param(
    request: FakeRequest, name: str, default: int, *, ge: int | None = 0, le: int | None = None
) -> int:
    raw = request.param(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _BadParamError(
            _detail(
                "int_parsing",
                name,
                "Input should be a valid integer, unable to parse string as an integer",
                raw,
            )
        ) from None
    if ge is not None and value < ge:
        raise _BadParamError(
            _detail(
                "greater_than_equal",
                name,
                f"Input should be greater than or equal to {ge}",
                raw,
                {"ge": ge},
            )
        )
    if le is not None and value > le:
        raise _BadParamError(
            _detail(
                "less_than_equal",
                name,
                f"Input should be less than or equal to {le}",
                raw,
                {"le": le},
            )
        )
    return value


@attrs.frozen(kw_only=True)
class _Indexed:
    """One work as the search index holds it, with what matching needs."""

    position: int
    work: CatalogWork
    doc: Mapping[str, Any]
    text: frozenset[str]
    title_text: frozenset[str]
    title_key: str
    author_names: tuple[str, ...]
    author_text: frozenset[str]
    author_keys: frozenset[str]
    languages: frozenset[str]
    isbns: frozenset[str]


class FakeOpenLibrary(FakeProvider):
    """OpenLibrary's endpoints over a `Catalog`, with the real envelopes and quirks.

    Served: ``/search.json``, ``/search/authors.json``, ``/authors/{id}.json``,
    ``/authors/{id}/works.json``, ``/works/{id}.json``, ``/works/{id}/editions.json``,
    ``/books/{id}.json``, ``/isbn/{isbn}.json`` (302 to ``/books/…``), ``/api/books`` (and
    ``/api/books.json``). Over the rate limit: 429 with OpenLibrary's JSON body and no
    Retry-After. 5xx faults answer with an HTML "closed library" page.

    Knobs beyond `FakeProvider`'s:

    * ``redirects``: old id -> new id (author, work or edition ids); the old id is served as a
      ``/type/redirect`` record with ``location``, as OpenLibrary does for merged records.
    * ``deleted``: ids served as ``/type/delete`` records.
    * ``legacy_search_defaults``: without ``fields=``, ``/search.json`` sends every field (the
      pre-2025 ``fields=*`` default) instead of today's default set.
    """

    name: ClassVar[str] = "openlibrary"
    mount: ClassVar[str] = "/openlibrary"

    def __init__(
        self,
        catalog: Catalog | None = None,
        *,
        redirects: Mapping[str, str] | None = None,
        deleted: Iterable[str] = (),
        legacy_search_defaults: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(catalog, **kwargs)
        self.redirects = dict(redirects or {})
        self.deleted = frozenset(deleted)
        self.legacy_search_defaults = legacy_search_defaults
        self._index: list[_Indexed] | None = None
        self._index_lock = threading.Lock()

    # -- FakeProvider hooks -----------------------------------------------------------------

    def rate_limited(self, request: FakeRequest) -> FakeResponse:
        return FakeResponse.json(RATE_LIMIT_BODY, 429)

    def server_error(self, status: int) -> FakeResponse:
        return FakeResponse.html(
            "<!DOCTYPE html>\n<html><head><title>Open Library is temporarily unavailable</title>"
            "</head><body><h1>The library is closed</h1><p>Open Library is having trouble "
            "right now. Please try again in a few minutes.</p></body></html>",
            status,
        )

    def route(self, request: FakeRequest) -> FakeResponse:
        segments = request.segments
        try:
            return self._route(request, segments)
        except _BadParamError as bad:
            return bad.response

    def _route(self, request: FakeRequest, segments: list[str]) -> FakeResponse:
        if segments == ["search.json"]:
            return self._search(request)
        if segments == ["search", "authors.json"]:
            return self._search_authors(request)
        if segments in (["api", "books"], ["api", "books.json"]):
            return self._api_books(request, force_json=segments[-1] == "books.json")
        if len(segments) == 2 and segments[1].endswith(".json"):
            kind, ident = segments[0], segments[1][: -len(".json")]
            if kind == "authors":
                return self._serve_record(request, kind, ident, self._author_record)
            if kind == "works":
                return self._serve_record(request, kind, ident, self._work_record_by_id)
            if kind == "books":
                return self._serve_record(request, kind, ident, self._edition_record_by_id)
            if kind == "isbn":
                return self._isbn(request, ident)
        if len(segments) == 3 and segments[0] == "authors" and segments[2] == "works.json":
            return self._author_works(request, segments[1])
        if len(segments) == 3 and segments[0] == "works" and segments[2] == "editions.json":
            return self._work_editions(request, segments[1])
        return self._not_found("/" + "/".join(segments))

    @staticmethod
    def _not_found(key: str) -> FakeResponse:
        return FakeResponse.json({"error": "notfound", "key": key}, 404)

    # -- records ----------------------------------------------------------------------------

    def _serve_record(
        self,
        request: FakeRequest,
        kind: str,
        ident: str,
        render: Callable[[str], dict[str, Any] | None],
    ) -> FakeResponse:
        key = f"/{kind}/{ident}"
        if ident in self.redirects:
            target = self.redirects[ident]
            body = {"key": key, "type": {"key": "/type/redirect"}, "location": f"/{kind}/{target}"}
            body.update(_stamps(ident))
            return FakeResponse.json(body)
        if ident in self.deleted:
            body = {"key": key, "type": {"key": "/type/delete"}}
            body.update(_stamps(ident))
            return FakeResponse.json(body)
        record = render(ident)
        if record is None:
            return self._not_found(key)
        return FakeResponse.json(record)

    def _author_record(self, ident: str) -> dict[str, Any] | None:
        author = self.catalog.author(ident)
        if author is None:
            return None
        record: dict[str, Any] = {
            "key": f"/authors/{author.id}",
            "name": author.name,
            "personal_name": author.name,
            "type": {"key": "/type/author"},
        }
        if author.alternate_names:
            record["alternate_names"] = list(author.alternate_names)
        if author.birth_date:
            record["birth_date"] = author.birth_date
        if author.death_date:
            record["death_date"] = author.death_date
        if author.bio:
            record["bio"] = _typed_text(author.id, author.bio)
        record.update(_stamps(author.id))
        return record

    def work_record(self, work: CatalogWork) -> dict[str, Any]:
        """The raw ``/works/{id}.json`` record of ``work``."""
        authors = []
        for author_id in work.author_ids:
            entry: dict[str, Any] = {
                "type": {"key": "/type/author_role"},
                "author": {"key": f"/authors/{author_id}"},
            }
            role = work.roles.get(author_id)
            if role:
                entry["role"] = role
            authors.append(entry)
        record: dict[str, Any] = {"key": f"/works/{work.id}", "title": work.title}
        if work.subtitle:
            record["subtitle"] = work.subtitle
        record["authors"] = authors
        record["type"] = {"key": "/type/work"}
        if work.description:
            record["description"] = _typed_text(work.id, work.description)
        if work.cover_id:
            covers = [work.cover_id]
            if _number(work.id) % 5 == 0:
                covers.append(-1)
            record["covers"] = covers
        if work.first_publish_year is not None:
            record["first_publish_date"] = str(work.first_publish_year)
        if work.subjects:
            record["subjects"] = list(work.subjects)
        record.update(_stamps(work.id))
        return record

    def _work_record_by_id(self, ident: str) -> dict[str, Any] | None:
        work = self.catalog.work(ident)
        return self.work_record(work) if work is not None else None

    def _ol_edition(self, ident: str) -> tuple[CatalogWork, CatalogEdition] | None:
        edition = self.catalog.edition(ident)
        work = self.catalog.work_of_edition(ident)
        if edition is None or work is None or "openlibrary" not in edition.providers:
            return None
        return work, edition

    @staticmethod
    def _ol_editions(work: CatalogWork) -> list[CatalogEdition]:
        return [e for e in work.editions if "openlibrary" in e.providers]

    def edition_record(
        self, work: CatalogWork, edition: CatalogEdition, *, with_names: bool = False
    ) -> dict[str, Any]:
        """The raw ``/books/{id}.json`` record; ``with_names`` adds author names (``details``)."""
        record: dict[str, Any] = {"key": f"/books/{edition.id}", "title": edition.title}
        if edition.subtitle:
            record["subtitle"] = edition.subtitle
        if with_names:
            names = self.catalog.author_names(work)
            record["authors"] = [
                {"key": f"/authors/{a}", "name": n}
                for a, n in zip(work.author_ids, names, strict=True)
            ]
        else:
            record["authors"] = [{"key": f"/authors/{a}"} for a in work.author_ids]
        if edition.authors:
            record["by_statement"] = _by_statement(edition.authors)
        record["works"] = [{"key": f"/works/{work.id}"}]
        record["type"] = {"key": "/type/edition"}
        marc = to_marc(edition.language) if edition.language else None
        if marc:
            record["languages"] = [{"key": f"/languages/{marc}"}]
        isbn13, isbn10 = _edition_isbns(edition)
        if isbn10:
            record["isbn_10"] = [isbn10]
        if isbn13:
            record["isbn_13"] = [isbn13]
        if edition.publisher:
            record["publishers"] = [edition.publisher]
        if edition.publish_date:
            record["publish_date"] = edition.publish_date
        if edition.pages:
            record["number_of_pages"] = edition.pages
            record["pagination"] = f"{edition.pages} p."
        if edition.format:
            record["physical_format"] = edition.format
        if edition.translation_of:
            record["translation_of"] = edition.translation_of
        if edition.cover_id:
            record["covers"] = [edition.cover_id]
        if isbn13:
            record["source_records"] = [f"bwb:{isbn13}"]
        record.update(_stamps(edition.id))
        return record

    def _edition_record_by_id(self, ident: str) -> dict[str, Any] | None:
        found = self._ol_edition(ident)
        return self.edition_record(*found) if found else None

    # -- lists ------------------------------------------------------------------------------

    def _listing(
        self,
        request: FakeRequest,
        path: str,
        parent: tuple[str, str],
        items: Sequence[Any],
        render: Callable[[Any], dict[str, Any]],
        *,
        zero_means_default: bool,
    ) -> FakeResponse:
        limit = _int_param(request, "limit", LIST_DEFAULT_LIMIT, ge=0, le=LIST_MAX_LIMIT)
        if limit == 0 and zero_means_default:
            limit = LIST_DEFAULT_LIMIT
        offset = _int_param(request, "offset", 0, ge=0)
        links: dict[str, str] = {"self": _with_query(path, request.query)}
        links[parent[0]] = parent[1]
        if offset + limit < len(items):
            links["next"] = _with_query(path, _replace(request.query, "offset", offset + limit))
        if offset > 0:
            links["prev"] = _with_query(
                path, _replace(request.query, "offset", max(0, offset - limit))
            )
        entries = [render(item) for item in items[offset : offset + limit]]
        return FakeResponse.json({"links": links, "size": len(items), "entries": entries})

    def _author_works(self, request: FakeRequest, ident: str) -> FakeResponse:
        if self.catalog.author(ident) is None:
            return self._not_found(f"/authors/{ident}")
        path = f"/authors/{ident}/works.json"
        return self._listing(
            request,
            path,
            ("author", f"/authors/{ident}"),
            self.catalog.works_of(ident),
            self.work_record,
            zero_means_default=False,
        )

    def _work_editions(self, request: FakeRequest, ident: str) -> FakeResponse:
        work = self.catalog.work(ident)
        if work is None:
            return self._not_found(f"/works/{ident}")
        path = f"/works/{ident}/editions.json"
        return self._listing(
            request,
            path,
            ("work", f"/works/{ident}"),
            self._ol_editions(work),
            lambda edition: self.edition_record(work, edition),
            zero_means_default=True,
        )

    # -- ISBN look-ups ----------------------------------------------------------------------

    def _by_isbn(self, value: str) -> tuple[CatalogWork, CatalogEdition] | None:
        try:
            isbn13, _ = isbn_pair(value)
        except InvalidISBN:
            return None
        for edition in self.catalog.editions_by_isbn(isbn13):
            found = self._ol_edition(edition.id)
            if found:
                return found
        return None

    def _isbn(self, request: FakeRequest, value: str) -> FakeResponse:
        found = self._by_isbn(value)
        if found is None:
            return self._not_found(f"/isbn/{value}")
        query = [(k, v) for k, v in request.query if k != "high_priority"]
        location = f"/books/{found[1].id}.json"
        if query:
            location += "?" + urlencode(query)
        return FakeResponse.redirect(location, 302)

    def _api_books(self, request: FakeRequest, *, force_json: bool) -> FakeResponse:
        jscmd = request.param("jscmd") or "viewapi"
        out: dict[str, Any] = {}
        for raw in (request.param("bibkeys") or "").split(","):
            bibkey = raw.strip()
            if not bibkey or bibkey in out:
                continue
            found = self._bibkey(bibkey)
            if found is not None:
                out[bibkey] = self._api_entry(bibkey, *found, jscmd=jscmd)
        text = json.dumps(out, ensure_ascii=False)
        callback = request.param("callback")
        if callback:
            return FakeResponse.text(f"{callback}({text});", content_type="application/javascript")
        if force_json or request.param("format") == "json":
            return FakeResponse(
                status=200,
                body=text.encode("utf-8"),
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
        return FakeResponse.text(
            f"var _OLBookInfo = {text};", content_type="application/javascript"
        )

    def _bibkey(self, bibkey: str) -> tuple[CatalogWork, CatalogEdition] | None:
        kind, _, value = bibkey.partition(":")
        if not value:
            kind, value = "ISBN", bibkey
        kind = kind.strip().upper()
        if kind == "ISBN":
            return self._by_isbn(value.strip())
        if kind == "OLID":
            return self._ol_edition(value.strip().upper())
        return None

    def _api_entry(
        self, bibkey: str, work: CatalogWork, edition: CatalogEdition, *, jscmd: str
    ) -> dict[str, Any]:
        url = f"{SITE}/books/{edition.id}/{_slug(edition.title)}"
        cover = f"{COVERS}/b/id/{edition.cover_id}" if edition.cover_id else None
        if jscmd == "data":
            return self._data_entry(work, edition, url, cover)
        entry: dict[str, Any] = {
            "bib_key": bibkey,
            "info_url": url,
            "preview": "noview",
            "preview_url": url,
        }
        if cover:
            entry["thumbnail_url"] = f"{cover}-S.jpg"
        if jscmd == "details":
            entry["details"] = self.edition_record(work, edition, with_names=True)
        return entry

    def _data_entry(
        self, work: CatalogWork, edition: CatalogEdition, url: str, cover: str | None
    ) -> dict[str, Any]:
        names = edition.authors or self.catalog.author_names(work)
        entry: dict[str, Any] = {"url": url, "key": f"/books/{edition.id}", "title": edition.title}
        if edition.subtitle:
            entry["subtitle"] = edition.subtitle
        author_ids = list(work.author_ids) + [""] * max(0, len(names) - len(work.author_ids))
        entry["authors"] = [
            {
                "url": f"{SITE}/authors/{a}/{_slug(n)}" if a else f"{SITE}/search?q={_slug(n)}",
                "name": n,
            }
            for a, n in zip(author_ids, names, strict=False)
        ]
        if edition.pages:
            entry["number_of_pages"] = edition.pages
            entry["pagination"] = f"{edition.pages} p."
        isbn13, isbn10 = _edition_isbns(edition)
        identifiers: dict[str, list[str]] = {}
        if isbn10:
            identifiers["isbn_10"] = [isbn10]
        if isbn13:
            identifiers["isbn_13"] = [isbn13]
        identifiers["openlibrary"] = [edition.id]
        entry["identifiers"] = identifiers
        if edition.publisher:
            entry["publishers"] = [{"name": edition.publisher}]
        if edition.publish_date:
            entry["publish_date"] = edition.publish_date
        if work.subjects:
            entry["subjects"] = [
                {"name": s, "url": f"{SITE}/subjects/{_slug(s).lower()}"} for s in work.subjects
            ]
        if cover:
            entry["cover"] = {
                "small": f"{cover}-S.jpg",
                "medium": f"{cover}-M.jpg",
                "large": f"{cover}-L.jpg",
            }
        return entry

    # -- search -----------------------------------------------------------------------------

    def _works_index(self) -> list[_Indexed]:
        with self._index_lock:
            if self._index is None:
                self._index = [self._index_work(i, w) for i, w in enumerate(self.catalog.works)]
            return self._index

    def _index_work(self, position: int, work: CatalogWork) -> _Indexed:
        authors = [self.catalog.author(a) for a in work.author_ids]
        names = tuple(a.name for a in authors if a is not None)
        alternates = [n for a in authors if a is not None for n in a.alternate_names]
        editions = self._ol_editions(work)
        languages: dict[str, None] = {}
        isbns: dict[str, None] = {}
        for edition in editions:
            marc = to_marc(edition.language) if edition.language else None
            if marc:
                languages.setdefault(marc, None)
            isbn13, isbn10 = _edition_isbns(edition)
            for value in (isbn13, isbn10):
                if value:
                    isbns.setdefault(value, None)
        doc: dict[str, Any] = {
            "key": f"/works/{work.id}",
            "type": "work",
            "title": work.title,
            "title_suggest": work.title,
            "title_sort": work.title,
            "subtitle": work.subtitle,
            "author_name": list(names),
            "author_key": list(work.author_ids),
            "author_alternative_name": alternates,
            "author_facet": [f"{a} {n}" for a, n in zip(work.author_ids, names, strict=False)],
            "edition_count": len(editions),
            "edition_key": [e.id for e in editions],
            "first_publish_year": work.first_publish_year,
            "publish_date": [e.publish_date for e in editions if e.publish_date],
            "publish_year": sorted({y for e in editions if (y := _year(e.publish_date))}),
            "publisher": sorted({e.publisher for e in editions if e.publisher}),
            "number_of_pages_median": _median([e.pages for e in editions if e.pages]),
            "isbn": list(isbns),
            "language": list(languages),
            "cover_i": work.cover_id,
            "cover_edition_key": next((e.id for e in editions if e.cover_id), None),
            "subject": list(work.subjects),
            "ebook_access": "no_ebook",
            "ebook_count_i": 0,
            "has_fulltext": False,
            "public_scan_b": False,
            "last_modified_i": 1_600_000_000 + _number(work.id) % 100_000_000,
            "_version_": 1_800_000_000_000_000_000 + _number(work.id),
        }
        doc = {k: v for k, v in doc.items() if v is not None and v != []}
        title_text = _tokens(work.title) | _tokens(work.subtitle)
        author_text = set().union(*(_tokens(n) for n in [*names, *alternates])) if names else set()
        return _Indexed(
            position=position,
            work=work,
            doc=doc,
            text=frozenset(
                title_text | author_text | set(isbns) | _tokens(" ".join(work.subjects))
            ),
            title_text=frozenset(title_text),
            title_key=title_key(work.title),
            author_names=names + tuple(alternates),
            author_text=frozenset(author_text),
            author_keys=frozenset(work.author_ids),
            languages=frozenset(languages),
            isbns=frozenset(isbns),
        )

    def _search(self, request: FakeRequest) -> FakeResponse:
        q = request.param("q")
        if q:
            error = None
            if len(q) < 3:
                error = "Value error, Query too short, must be at least 3 characters"
            elif q.lower() == "the":
                error = (
                    "Value error, ('Invalid query; the following queries are not allowed: the',)"
                )
            if error:
                return _detail("value_error", "q", error, q, {"error": {}})
        limit = _int_param(request, "limit", SEARCH_DEFAULT_LIMIT, ge=0)
        page = _int_param(request, "page", 1, ge=1)
        offset_raw = request.param("offset")
        offset = _int_param(request, "offset", 0, ge=0) if offset_raw else (page - 1) * limit
        matches = self._match_works(request, q)
        total = len(matches)
        docs = [self._project(m.doc, request) for m in matches[offset : offset + limit]]
        body = {
            "numFound": total,
            "start": offset,
            "numFoundExact": True,
            "num_found": total,
            "documentation_url": DOCUMENTATION_URL,
            "q": q,
            "offset": int(offset_raw) if offset_raw else None,
            "docs": docs,
        }
        return FakeResponse.json(body, indent=4)

    def _project(self, doc: Mapping[str, Any], request: FakeRequest) -> dict[str, Any]:
        fields_param = request.param("fields")
        if fields_param is None:
            if self.legacy_search_defaults:
                return dict(doc)
            wanted: Sequence[str] = DEFAULT_SEARCH_FIELDS
        else:
            wanted = [f.strip() for f in fields_param.split(",") if f.strip()]
            if "*" in wanted:
                return dict(doc)
        return {f: doc[f] for f in wanted if f in doc}

    def _match_works(self, request: FakeRequest, q: str | None) -> list[_Indexed]:
        checks: list[Any] = []
        plain: list[str] = []
        for field, value in _terms(q or ""):
            if field is None:
                plain.append(value)
            elif field == "title":
                checks.append(_title_check(value))
            elif field == "author":
                checks.append(_author_check(value))
            elif field in ("author_key", "author_facet"):
                keys = {_bare(v) for v in re.split(r"\s+(?:OR\s+)?", value) if v and v != "OR"}
                checks.append(lambda w, keys=keys: bool(w.author_keys & keys))
            elif field == "isbn":
                checks.append(_isbn_check(value))
            elif field == "key":  # Solr's string field: the whole "/works/OL…W", exactly
                wanted = {v.strip('"') for v in re.split(r"\s+(?:OR\s+)?", value) if v != "OR"}
                checks.append(lambda w, wanted=wanted: w.doc["key"] in wanted)
            elif field == "language":
                checks.append(lambda w, code=value.lower(): code in w.languages)
            else:
                plain.append(value)
        for value in request.params("title"):
            checks.append(_title_check(value))
        for value in request.params("author"):
            checks.append(_author_check(value))
        for value in request.params("isbn"):
            checks.append(_isbn_check(value))
        author_keys = {_bare(v) for v in request.params("author_key") if v}
        if author_keys:
            checks.append(lambda w: bool(w.author_keys & author_keys))
        languages = {v.lower() for v in request.params("language") if v}
        if languages:
            checks.append(lambda w: bool(w.languages & languages))
        words = _tokens(" ".join(plain))
        if words:
            checks.append(lambda w: words <= w.text)
        if not checks:
            return []
        found = [w for w in self._works_index() if all(check(w) for check in checks)]
        wanted_title = title_key(" ".join(plain)) if plain else None
        for value in request.params("title"):
            wanted_title = title_key(value)
        sort = request.param("sort")
        if sort == "key":
            found.sort(key=lambda w: _number(w.work.id))
        elif sort in ("new", "old"):
            found.sort(
                key=lambda w: w.work.first_publish_year or (0 if sort == "new" else 9999),
                reverse=sort == "new",
            )
        elif sort == "editions":
            found.sort(key=lambda w: -int(w.doc.get("edition_count", 0)))
        else:
            found.sort(
                key=lambda w: (
                    0 if wanted_title and w.title_key == wanted_title else 1,
                    -int(w.doc.get("edition_count", 0)),
                    w.position,
                )
            )
        return found

    def _search_authors(self, request: FakeRequest) -> FakeResponse:
        q = (request.param("q") or "").strip()
        limit = _int_param(request, "limit", SEARCH_DEFAULT_LIMIT, ge=0)
        page = _int_param(request, "page", 1, ge=1)
        offset_raw = request.param("offset")
        offset = _int_param(request, "offset", 0, ge=0) if offset_raw else (page - 1) * limit
        matches = [a for a in self.catalog.authors if q and _author_matches(q, a)]
        exact = title_key(q)
        matches.sort(
            key=lambda a: (
                0 if title_key(a.name) == exact else 1,
                -len(self.catalog.works_of(a.id)),
                a.id,
            )
        )
        docs = [
            self._project_author(self._author_doc(a), request)
            for a in matches[offset : offset + limit]
        ]
        return FakeResponse.json(
            {"numFound": len(matches), "start": offset, "numFoundExact": True, "docs": docs}
        )

    def _author_doc(self, author: CatalogAuthor) -> dict[str, Any]:
        works = self.catalog.works_of(author.id)
        top = max(works, key=lambda w: len(self._ol_editions(w)), default=None)
        doc: dict[str, Any] = {
            "alternate_names": list(author.alternate_names),
            "birth_date": author.birth_date,
            "death_date": author.death_date,
            "key": author.id,
            "name": author.name,
            "top_subjects": list(author.top_subjects),
            "top_work": top.title if top else None,
            "type": "author",
            "work_count": len(works),
            "_version_": 1_819_165_003_377_278_976 + _number(author.id),
        }
        return {k: v for k, v in doc.items() if v is not None and v != []}

    @staticmethod
    def _project_author(doc: Mapping[str, Any], request: FakeRequest) -> dict[str, Any]:
        fields_param = request.param("fields")
        if fields_param is None:
            return dict(doc)
        wanted = [f.strip() for f in fields_param.split(",") if f.strip()]
        if "*" in wanted:
            return dict(doc)
        return {f: doc[f] for f in wanted if f in doc}


# -- helpers ---------------------------------------------------------------------------------


def _edition_isbns(edition: CatalogEdition) -> tuple[str | None, str | None]:
    if edition.isbn13:
        return edition.isbn13, edition.isbn10
    if edition.isbn10:
        try:
            return isbn_pair(edition.isbn10)
        except InvalidISBN:
            return None, edition.isbn10
    return None, None


def _year(text: str | None) -> int | None:
    match = re.search(r"\b(1[0-9]{3}|20[0-9]{2})\b", text or "")
    return int(match.group(1)) if match else None


def _median(values: list[int]) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def _bare(value: str) -> str:
    return value.strip().strip('"').rstrip("/").rsplit("/", 1)[-1].upper()


def _terms(q: str) -> list[tuple[str | None, str]]:
    """Solr-ish terms: ``field:value``, ``field:"a b"``, ``field:(a OR b)`` and plain words."""
    out: list[tuple[str | None, str]] = []
    for match in _TERM.finditer(q):
        field = match.group("field")
        value = match.group("value")
        if value[:1] in ('"', "(") and value[-1:] in ('"', ")"):
            value = value[1:-1]
        if field is None and value in ("AND", "OR", "NOT"):
            continue
        out.append((field.lower() if field else None, value))
    return out


def _title_check(value: str) -> Any:
    words = _tokens(value)
    return lambda w: bool(words) and words <= w.title_text


def _author_check(value: str) -> Any:
    words = _tokens(value)

    def check(w: _Indexed) -> bool:
        if words and words <= w.author_text:
            return True
        return any(names_match(value, name) for name in w.author_names)

    return check


def _isbn_check(value: str) -> Any:
    try:
        isbn13, isbn10 = isbn_pair(value)
    except InvalidISBN:
        return lambda w: False
    return lambda w: isbn13 in w.isbns or (isbn10 is not None and isbn10 in w.isbns)


def _author_matches(q: str, author: CatalogAuthor) -> bool:
    words = set(name_tokens(q)) or _tokens(q)
    for name in (author.name, *author.alternate_names):
        if names_match(q, name):
            return True
        if words and words <= (set(name_tokens(name)) | _tokens(name)):
            return True
    return False


def _with_query(path: str, query: Sequence[tuple[str, str]]) -> str:
    return f"{path}?{urlencode(list(query))}" if query else path


def _replace(query: Sequence[tuple[str, str]], name: str, value: int) -> list[tuple[str, str]]:
    out = [(k, v) for k, v in query if k != name]
    out.append((name, str(value)))
    return out
