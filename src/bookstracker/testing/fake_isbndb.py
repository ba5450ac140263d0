"""A fake ISBNdb API v2 speaking the real wire format, served from a `Catalog`.

Only editions whose ``providers`` include ``"isbndb"`` exist. Book objects carry the field set
of the real ``{"book": …}`` body (``title``, ``title_long``, ``isbn`` holding the ISBN-10,
``isbn13``, ``isbn10``, ``binding``, ``publisher``, ``language``, ``date_published``,
``edition``, ``pages``, ``dimensions``, ``dimensions_structured``, ``synopsis`` with ``<br/>``,
``image``, ``image_original``, ``msrp`` as the string ``"0.00"``, ``authors``, ``subjects``,
``other_isbns``); absent values are left out, as ISBNdb does.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import parse_qsl

from bookstracker.isbn import isbn_pair
from bookstracker.languages import to_iso639_1
from bookstracker.names import name_key, names_match, title_key_full
from bookstracker.providers._parse import iso_date, year_of
from bookstracker.testing._fake import FakeProvider, FakeRequest, FakeResponse, Faults

if TYPE_CHECKING:
    from bookstracker.testing.catalog import Catalog, CatalogEdition, CatalogWork

__all__ = ["FakeISBNdb"]

Envelope = Literal["books", "data", "indexed"]
Plan = Literal["basic", "premium", "pro", "enterprise", "academic"]

_PLAN_HOSTS: dict[str, str] = {
    "basic": "api2.isbndb.com",
    "premium": "api.premium.isbndb.com",
    "pro": "api.pro.isbndb.com",
    "enterprise": "api.enterprise.isbndb.com",
    "academic": "api2.isbndb.com",
}
_BULK_CAP: dict[str, int] = {
    "basic": 100,
    "premium": 1000,
    "pro": 1000,
    "enterprise": 1000,
    "academic": 10,
}
_PLAN_QUOTA: dict[str, int] = {
    "basic": 7_500,
    "premium": 15_000,
    "pro": 30_000,
    "enterprise": 60_000,
    "academic": 2_000,
}
MAX_PAGE_SIZE = 1000
RESULT_CEILING = 10_000
MAX_PATH_PARAM = 150


def _error(message: str, status: int) -> FakeResponse:
    return FakeResponse.json({"errorMessage": message, "message": message}, status)


def _not_found() -> FakeResponse:
    return FakeResponse.json({"errorMessage": "Not Found"}, 404)


def _limit_exceeded() -> FakeResponse:
    return FakeResponse.json({"message": "Limit Exceeded"}, 429)


def _date_published(publish_date: str | None, fallback_year: int | None) -> str | None:
    """OpenLibrary-style free text as ISBNdb's ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    parsed = iso_date(publish_date)
    if parsed is not None:
        return parsed
    year = year_of(publish_date) or fallback_year
    return None if year is None else f"{year:04d}"


def _isbn13_of(edition: CatalogEdition) -> str | None:
    """The edition's ISBN-13, derived from its ISBN-10 when the catalog holds only that."""
    if edition.isbn13:
        return edition.isbn13
    return isbn_pair(edition.isbn10)[0] if edition.isbn10 else None


def _words(text: str) -> set[str]:
    return set(title_key_full(text).split())


class _Entry:
    """One served edition, with what the routes match on."""

    __slots__ = (
        "authors",
        "book",
        "edition",
        "isbn13",
        "language",
        "published",
        "subjects",
        "text",
        "work",
    )

    def __init__(
        self,
        work: CatalogWork,
        edition: CatalogEdition,
        isbn13: str,
        authors: tuple[str, ...],
        book: dict[str, Any],
    ) -> None:
        self.isbn13 = isbn13
        self.work = work
        self.edition = edition
        self.authors = authors
        self.book = book
        self.language = edition.language
        self.published = str(book.get("date_published") or "")
        self.subjects = tuple(work.subjects)
        title = " ".join(t for t in (edition.title, edition.subtitle) if t)
        self.text = _words(title)


class FakeISBNdb(FakeProvider):
    """ISBNdb API v2 over a `Catalog`, with the real quirks.

    Knobs (besides `FakeProvider`'s latency, ``rate_limit`` answered with 429
    ``{"message": "Limit Exceeded"}``, and faults):

    ``api_key``
        the key the ``Authorization`` header must carry (no ``Bearer``); otherwise 401
        ``{"errorMessage": "Unauthorized", "message": "Unauthorized"}`` (the real wording is not
        recorded). A key in the query string is ignored, as by the real API.
    ``plan``
        the bulk cap of ``POST /books`` (academic 10, basic 100, others 1000; more ISBNs answer
        400) and the host and limit ``GET /key`` reports.
    ``daily_quota``
        calls allowed in total (None: unlimited). Each call costs 1, ``POST /books`` one per ISBN;
        ``GET /key`` is free. Once spent: 429 ``{"message": "Limit Exceeded"}``, or with
        ``quota_404`` a plain 404 ``{"errorMessage": "Not Found"}`` on ``/book/{isbn}``.
    ``envelope``
        the shape of ``GET /books/{query}``: ``"books"`` (what the live API sends),
        ``"data"`` (what the spec says) or ``"indexed"`` (``books`` as an object keyed by index).
    ``author_total``
        False: ``/author/{name}`` replies without ``total``, as observed live.

    ``page``/``pageSize`` (``page_size`` also read) are honoured; ``pageSize`` outside 1-1000
    answers 400 (the spec's maximum, and 400 is among its documented answers); no query returns
    more than the first 10,000 results, while ``total`` still counts all of them. Path parameters
    over 150 characters answer 400. ``/author/{name}`` reads ``_`` as a space
    (``j.k._rowling``) and matches names with `bookstracker.names.names_match`; an unknown author
    gets an empty ``books`` list.
    """

    name: ClassVar[str] = "isbndb"
    mount: ClassVar[str] = "/isbndb"

    def __init__(
        self,
        catalog: Catalog | None = None,
        *,
        api_key: str = "test-key",
        plan: Plan = "basic",
        daily_quota: int | None = None,
        quota_404: bool = False,
        envelope: Envelope = "books",
        author_total: bool = True,
        latency: float = 0.0,
        jitter: float = 0.0,
        rate_limit: float | None = None,
        burst: float = 1.0,
        faults: Faults | None = None,
        seed: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            catalog,
            latency=latency,
            jitter=jitter,
            rate_limit=rate_limit,
            burst=burst,
            faults=faults,
            seed=seed,
            clock=clock,
        )
        if plan not in _BULK_CAP:
            raise ValueError(f"unknown ISBNdb plan {plan!r}")
        if envelope not in ("books", "data", "indexed"):
            raise ValueError(f"unknown envelope {envelope!r}")
        self.api_key = api_key
        self.plan: Plan = plan
        self.daily_quota = daily_quota
        self.quota_404 = quota_404
        self.envelope: Envelope = envelope
        self.author_total = author_total
        self.spent = 0
        self._quota_lock = threading.Lock()
        self._by_isbn13: dict[str, _Entry | None] = {}
        self._all: tuple[list[_Entry], dict[str, list[_Entry]]] | None = None
        self._index_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"FakeISBNdb(plan={self.plan!r}, requests={len(self.log)}, spent={self.spent})"

    # -- the catalog as ISBNdb holds it -----------------------------------------------------

    def _entry(self, isbn13: str) -> _Entry | None:
        """The edition served under this ISBN-13 (the first in catalog order that ISBNdb has)."""
        if isbn13 in self._by_isbn13:
            return self._by_isbn13[isbn13]
        entry = None
        for edition in self.catalog.editions_by_isbn(isbn13):
            work = self.catalog.work_of_edition(edition.id)
            if "isbndb" in edition.providers and work is not None:
                entry = self._new_entry(work, edition, isbn13)
                break
        return self._by_isbn13.setdefault(isbn13, entry)

    def _new_entry(self, work: CatalogWork, edition: CatalogEdition, isbn13: str) -> _Entry:
        authors = tuple(edition.authors) or tuple(self.catalog.author_names(work))
        return _Entry(work, edition, isbn13, authors, self._render(work, edition, isbn13, authors))

    def _index(self) -> tuple[list[_Entry], dict[str, list[_Entry]]]:
        """Every served edition in catalog order, and by author name; built on first use (a
        look-up by ISBN does without)."""
        if self._all is not None:
            return self._all
        with self._index_lock:
            if self._all is None:
                entries: list[_Entry] = []
                by_author: dict[str, list[_Entry]] = {}
                seen: set[str] = set()
                for work, edition in self.catalog.editions():
                    isbn13 = _isbn13_of(edition)
                    if "isbndb" not in edition.providers or not isbn13 or isbn13 in seen:
                        continue
                    seen.add(isbn13)
                    entry = self._by_isbn13.get(isbn13) or self._new_entry(work, edition, isbn13)
                    self._by_isbn13[isbn13] = entry
                    entries.append(entry)
                    for author in entry.authors:
                        by_author.setdefault(author, []).append(entry)
                self._all = (entries, by_author)
            return self._all

    @property
    def _entries(self) -> list[_Entry]:
        return self._index()[0]

    @property
    def _by_author(self) -> dict[str, list[_Entry]]:
        return self._index()[1]

    def _render(
        self, work: CatalogWork, edition: CatalogEdition, isbn13: str, authors: tuple[str, ...]
    ) -> dict[str, Any]:
        title = edition.title
        long_title = f"{title}: {edition.subtitle}" if edition.subtitle else title
        book: dict[str, Any] = {"title": title, "title_long": long_title}
        book["isbn"] = edition.isbn10 or isbn13
        book["isbn13"] = isbn13
        if edition.isbn10:
            book["isbn10"] = edition.isbn10
        if edition.format:
            book["binding"] = edition.format
        if edition.publisher:
            book["publisher"] = edition.publisher
        if edition.language:
            book["language"] = edition.language
        published = _date_published(edition.publish_date, work.first_publish_year)
        if published:
            book["date_published"] = published
        book["edition"] = str(self._edition_number(work, edition))
        if edition.pages:
            book.update(_dimensions(edition.pages))
            book["pages"] = edition.pages
        if work.description:
            book["synopsis"] = work.description.strip().replace("\n\n", "<br/><br/>")
        if edition.cover_id:
            book["image"] = f"https://images.isbndb.com/covers/{edition.cover_id}.jpg"
            book["image_original"] = (
                f"https://images.isbndb.com/covers/original/{edition.cover_id}.jpg"
                "?Expires=7200&Signature=fake"
            )
        book["msrp"] = "0.00"
        book["authors"] = list(authors)
        if work.subjects:
            book["subjects"] = list(work.subjects)
        others = [
            {"isbn": _isbn13_of(other), "binding": other.format or ""}
            for other in work.editions
            if other is not edition and _isbn13_of(other) and "isbndb" in other.providers
        ]
        if others:
            book["other_isbns"] = others[:10]
        return book

    @staticmethod
    def _edition_number(work: CatalogWork, edition: CatalogEdition) -> int:
        same = [e for e in work.editions if e.language == edition.language]
        for number, other in enumerate(same, start=1):
            if other is edition:
                return number
        return 1

    # -- quota -------------------------------------------------------------------------------

    @property
    def quota_left(self) -> int | None:
        """Calls left today (None: unlimited)."""
        if self.daily_quota is None:
            return None
        return max(0, self.daily_quota - self.spent)

    def _charge(self, cost: int) -> bool:
        with self._quota_lock:
            if self.daily_quota is not None and self.spent + cost > self.daily_quota:
                return False
            self.spent += cost
            return True

    def reset_quota(self) -> None:
        """A new day: nothing spent."""
        with self._quota_lock:
            self.spent = 0

    # -- routing -----------------------------------------------------------------------------

    def rate_limited(self, request: FakeRequest) -> FakeResponse:
        return _limit_exceeded()

    def route(self, request: FakeRequest) -> FakeResponse:
        if request.headers.get("authorization") != self.api_key:
            return _error("Unauthorized", 401)
        segments = request.segments
        if any(len(s) > MAX_PATH_PARAM for s in segments[1:]):
            return _error(f"path parameters are limited to {MAX_PATH_PARAM} characters", 400)
        method = request.method
        if method == "GET" and segments == ["key"]:
            return self._key()
        if method == "POST" and segments == ["books"]:
            return self._bulk(request)
        if method != "GET":
            return _not_found()
        if len(segments) == 2 and segments[0] == "book":
            if not self._charge(1):
                return _not_found() if self.quota_404 else _limit_exceeded()
            return self._book(segments[1])
        handlers: dict[str, Callable[[FakeRequest, str, int, int], FakeResponse]] = {
            "books": self._search_books,
            "author": self._author,
            "authors": self._authors,
        }
        handler: Callable[[FakeRequest, str, int, int], FakeResponse]
        if segments == ["search", "books"]:
            handler, argument = self._search, ""
        elif len(segments) == 2 and segments[0] in handlers:
            handler, argument = handlers[segments[0]], segments[1]
        else:
            return _not_found()
        paging = _paging(request)
        if isinstance(paging, FakeResponse):
            return paging
        if not self._charge(1):
            return _limit_exceeded()
        return handler(request, argument, *paging)

    # -- endpoints ---------------------------------------------------------------------------

    def _book(self, isbn: str) -> FakeResponse:
        entry = self._lookup(isbn)
        if entry is None:
            return _not_found()
        return FakeResponse.json({"book": entry.book})

    def _lookup(self, isbn: str) -> _Entry | None:
        try:
            isbn13, _ = isbn_pair(str(isbn).strip())
        except ValueError:
            return None
        return self._entry(isbn13)

    def _bulk(self, request: FakeRequest) -> FakeResponse:
        isbns = _bulk_isbns(request)
        if isbns is None or not isbns:
            return _error("isbns is required", 400)
        cap = _BULK_CAP[self.plan]
        if len(isbns) > cap:
            return _error(f"Too many ISBNs: your plan allows up to {cap} per request", 400)
        if not self._charge(len(isbns)):
            return _limit_exceeded()
        found: dict[str, dict[str, Any]] = {}
        for isbn in isbns:
            entry = self._lookup(isbn)
            if entry is not None:
                found.setdefault(entry.isbn13, entry.book)
        return FakeResponse.json(
            {"total": len(found), "requested": len(isbns), "data": list(found.values())}
        )

    def _page(self, entries: list[_Entry], page: int, size: int) -> list[dict[str, Any]]:
        visible = entries[:RESULT_CEILING]
        start = (page - 1) * size
        return [e.book for e in visible[start : start + size]]

    def _search_books(self, request: FakeRequest, query: str, page: int, size: int) -> FakeResponse:
        column = request.param("column")
        if column not in (None, "", "title", "author", "date_published", "subjects"):
            return _error("column must be one of title, author, date_published, subjects", 400)
        match_all = (request.param("shouldMatchAll") or "").lower() in ("1", "true")
        hits = self._filter(self._match(query, column or None, match_all=match_all), request)
        if isinstance(hits, FakeResponse):
            return hits
        books = self._page(hits, page, size)
        body: dict[str, Any] = {"total": len(hits)}
        if self.envelope == "data":
            body["data"] = books
        elif self.envelope == "indexed":
            body.update(page=page, page_size=size)
            body["books"] = {str(i): book for i, book in enumerate(books)}
        else:
            body.update(page=page, page_size=size, books=books)
        return FakeResponse.json(body)

    def _match(self, query: str, column: str | None, *, match_all: bool) -> list[_Entry]:
        if column == "date_published":
            prefix = query.strip()
            return [e for e in self._entries if prefix and e.published.startswith(prefix)]
        if column == "author":
            wanted = _name_words(query)
            return [e for e in self._entries if wanted and wanted <= _author_words(e)]
        wanted = _words(query)
        if not wanted:
            return []
        scored: list[tuple[int, int, _Entry]] = []
        for position, entry in enumerate(self._entries):
            if column == "subjects":
                words = (
                    set().union(*(_words(s) for s in entry.subjects)) if entry.subjects else set()
                )
            elif column == "title":
                words = entry.text
            else:
                words = entry.text | _author_words(entry)
            common = len(wanted & words)
            if common == len(wanted) or (common and not match_all and column is None):
                scored.append((-common, position, entry))
        scored.sort(key=lambda item: (item[0], item[1]))
        return [entry for _, _, entry in scored]

    def _filter(self, entries: list[_Entry], request: FakeRequest) -> list[_Entry] | FakeResponse:
        language = request.param("language")
        if language:
            code = to_iso639_1(language)
            entries = [e for e in entries if code is not None and e.language == code]
        year = request.param("year")
        if year:
            if not year.strip().isdigit():
                return _error("year must be an integer", 400)
            entries = [e for e in entries if e.published[:4] == year.strip()]
        return entries

    def _author(self, request: FakeRequest, name: str, page: int, size: int) -> FakeResponse:
        wanted = name.replace("_", " ").strip()
        entries: list[_Entry] = []
        seen: set[str] = set()
        for author, written in self._by_author.items():
            if wanted and (name_key(author) == name_key(wanted) or names_match(author, wanted)):
                for entry in written:
                    if entry.isbn13 not in seen:
                        seen.add(entry.isbn13)
                        entries.append(entry)
        order = {id(e): i for i, e in enumerate(self._entries)}
        entries.sort(key=lambda e: order[id(e)])
        filtered = self._filter(entries, request)
        if isinstance(filtered, FakeResponse):
            return filtered
        body: dict[str, Any] = {"author": name, "name": name}
        body["books"] = self._page(filtered, page, size)
        if self.author_total:
            body["total"] = len(filtered)
        body.update(page=page, page_size=size)
        return FakeResponse.json(body)

    def _authors(self, request: FakeRequest, query: str, page: int, size: int) -> FakeResponse:
        wanted = _name_words(query.replace("_", " "))
        names = [a for a in self._by_author if wanted and wanted <= _name_words(a)]
        start = (page - 1) * size
        visible = names[:RESULT_CEILING]
        return FakeResponse.json(
            {
                "name": query,
                "authors": visible[start : start + size],
                "total": len(names),
                "page": page,
                "page_size": size,
            }
        )

    def _search(self, request: FakeRequest, _: str, page: int, size: int) -> FakeResponse:
        entries = self._entries
        criteria = 0
        text = request.param("text")
        if text:
            criteria += 1
            wanted = _words(text)
            entries = [e for e in entries if wanted and wanted <= (e.text | _author_words(e))]
        author = request.param("author")
        if author:
            criteria += 1
            entries = [e for e in entries if any(names_match(a, author) for a in e.authors)]
        for field in ("isbn", "isbn13"):
            value = request.param(field)
            if value:
                criteria += 1
                entry = self._lookup(value)
                entries = [e for e in entries if e is entry]
        publisher = request.param("publisher")
        if publisher:
            criteria += 1
            wanted = _words(publisher)
            entries = [e for e in entries if wanted <= _words(e.edition.publisher or "")]
        subject = request.param("subject")
        if subject:
            criteria += 1
            key = title_key_full(subject)
            entries = [e for e in entries if any(title_key_full(s) == key for s in e.subjects)]
        if not criteria:
            return _error("at least one search criterion is required", 400)
        return FakeResponse.json(
            {
                "total": len(entries),
                "page": page,
                "page_size": size,
                "data": self._page(entries, page, size),
            }
        )

    def _key(self) -> FakeResponse:
        total = self.daily_quota if self.daily_quota is not None else _PLAN_QUOTA[self.plan]
        spent = min(self.spent, total)
        return FakeResponse.json(
            {
                "api_host": _PLAN_HOSTS[self.plan],
                "plan_name": self.plan.capitalize(),
                "plan_limit": {"total": total, "spent": spent, "left": total - spent},
            }
        )


def _name_words(name: str) -> set[str]:
    """The words a name is found by: its matching key's and its plain spelling's."""
    return set(name_key(name).split()) | set(title_key_full(name).split())


def _author_words(entry: _Entry) -> set[str]:
    words: set[str] = set()
    for author in entry.authors:
        words.update(_name_words(author))
    return words


def _dimensions(pages: int) -> dict[str, Any]:
    width = round(0.1 + pages * 0.002, 2)
    weight = round(0.1 + pages * 0.0013, 2)
    return {
        "dimensions": (
            f"Height: 7.75 Inches, Length: 5.25 Inches, Weight: {weight} Pounds, "
            f"Width: {width} Inches"
        ),
        "dimensions_structured": {
            "length": {"unit": "inches", "value": 5.25},
            "width": {"unit": "inches", "value": width},
            "weight": {"unit": "pounds", "value": weight},
            "height": {"unit": "inches", "value": 7.75},
        },
    }


def _paging(request: FakeRequest) -> tuple[int, int] | FakeResponse:
    page = request.int_param("page", 1)
    size_text = request.param("pageSize") or request.param("page_size")
    size: int | None
    if size_text is None or size_text == "":
        size = 20
    else:
        try:
            size = int(size_text)
        except ValueError:
            size = None
    if page is None or page < 1:
        return _error("page must be a positive integer", 400)
    if size is None or not 1 <= size <= MAX_PAGE_SIZE:
        return _error(f"pageSize must be between 1 and {MAX_PAGE_SIZE}", 400)
    return page, size


def _bulk_isbns(request: FakeRequest) -> list[str] | None:
    content_type = request.headers.get("content-type", "")
    raw: Any
    if "application/x-www-form-urlencoded" in content_type:
        form = dict(parse_qsl(request.body.decode("utf-8", "replace")))
        raw = [s for s in form.get("isbns", "").split(",") if s.strip()]
    else:
        try:
            data = json.loads(request.body or b"null")
        except ValueError:
            return None
        if not isinstance(data, Mapping):
            return None
        raw = data.get("isbns")
    if isinstance(raw, Mapping):
        raw = list(raw.values())
    if not isinstance(raw, Iterable) or isinstance(raw, (str, bytes)):
        return None
    return [str(item).strip() for item in raw if str(item).strip()]
