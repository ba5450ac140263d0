"""A fake Google Books API v1 that answers in the real wire format from a `Catalog`.

Routes (with or without the ``/books/v1`` prefix; the loopback server strips ``/googlebooks``):

* ``GET /books/v1/volumes?q=…``: ``books#volumes`` lists. ``q`` takes free text, quoted phrases
  and the operators ``intitle:``, ``inauthor:``, ``inpublisher:``, ``subject:``, ``isbn:``,
  ``lccn:``, ``oclc:`` (operator names in any case; terms joined by spaces or ``+``). Every term
  must match: free text against title, subtitle and authors; ``isbn:`` exactly against the
  identifiers, while a malformed ``isbn:`` value falls back to full-text search as the real
  API does. ``maxResults`` is 0–40 (default 10; beyond, a 400 with Google's envelope),
  ``startIndex`` 0-based, ``langRestrict``, ``printType`` and ``orderBy`` are honoured,
  ``country`` is echoed in ``saleInfo``/``accessInfo``, ``fields=`` partial responses are
  applied, ``prettyPrint=false`` gives compact JSON. ``filter``, ``download``, ``projection``
  and the other rarely used parameters are accepted and ignored. ``totalItems`` is an estimate:
  deliberately larger than the real count when there are more than 10 matches (stable between
  pages). No match is ``{"kind": "books#volumes", "totalItems": 0}`` with no ``items``.
* ``GET /books/v1/volumes/{id}``: one ``books#volume`` with the ``volumes.get`` extras (HTML
  description, BISAC-like categories, larger image links, ``layerInfo``). An unknown id is a
  **503** with Google's error envelope, as the real API answers.

Only editions with a ``google_id`` and ``"googlebooks"`` in ``providers`` exist here.

Knobs (constructor arguments, also plain attributes):

* ``require_key``: answer 403 (``PERMISSION_DENIED``, unregistered callers) without ``key=``.
* ``keyless_429_rate``: the probability that a keyless request gets the shared anonymous
  project's per-day 429, as happens in real life (default 0).
* ``daily_quota``: after this many requests, every request gets the per-day 429.
* ``rate_limit`` (from `FakeProvider`): beyond it, the per-minute 429.
"""

from __future__ import annotations

import base64
import hashlib
import html
import random
import re
import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, unquote

import attrs

from bookstracker.errors import InvalidISBN
from bookstracker.isbn import isbn_pair
from bookstracker.names import name_tokens, names_match, title_key, to_ascii
from bookstracker.providers._parse import iso_date, year_of
from bookstracker.testing._fake import FakeProvider, FakeRequest, FakeResponse

if TYPE_CHECKING:
    from bookstracker.testing.catalog import Catalog, CatalogEdition, CatalogWork

__all__ = ["FakeGoogleBooks"]

ANONYMOUS_PROJECT = "624717413613"
KEYED_PROJECT = "381447271903"
MAX_RESULTS = 40
DEFAULT_RESULTS = 10
_RECENT_QUERIES = 16
_PREFIX = ("books", "v1")
_OPERATORS = frozenset({"intitle", "inauthor", "inpublisher", "subject", "isbn", "lccn", "oclc"})
_TERM = re.compile(
    r'(?P<op>[A-Za-z]+):(?:"(?P<quoted>[^"]*)"?|(?P<bare>[^\s"]*))'
    r'|"(?P<phrase>[^"]*)"?'
    r"|(?P<word>[^\s\"]+)"
)
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_FIELD_NAME = re.compile(r"[A-Za-z0-9_*@$.-]+(?:/[A-Za-z0-9_*@$.-]+)*")


# -- words and dates --------------------------------------------------------------------------


def _words(text: str | None) -> tuple[str, ...]:
    """Lower-case ASCII words, ``&`` read as ``and``, apostrophes joined."""
    if not text:
        return ()
    folded = to_ascii(text.replace("&", " and ")).lower().replace("'", "")
    return tuple(w for w in _NOT_ALNUM.split(folded) if w)


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """Whether ``needle`` occurs in ``haystack`` as a contiguous run."""
    if not needle:
        return False
    width = len(needle)
    first = needle[0]
    return any(
        haystack[i] == first and tuple(haystack[i : i + width]) == tuple(needle)
        for i in range(len(haystack) - width + 1)
    )


def google_date(text: str | None) -> str | None:
    """OpenLibrary's free-text date as Google's ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``."""
    parsed = iso_date(text)
    if parsed is not None:
        return parsed
    year = year_of(text)
    return None if year is None else f"{year:04d}"


def _digest(value: str, size: int = 8) -> bytes:
    return hashlib.blake2b(value.encode(), digest_size=size).digest()


# -- the query language ---------------------------------------------------------------------


@attrs.frozen
class _Term:
    field: str
    words: tuple[str, ...]
    phrase: bool
    raw: str


def parse_q(q: str) -> list[_Term]:
    """Google's ``q`` as terms; a malformed ``isbn:`` value becomes full text, as Google does."""
    terms: list[_Term] = []
    for match in _TERM.finditer(q):
        op = match.group("op")
        if op is not None and op.lower() in _OPERATORS:
            quoted = match.group("quoted")
            value = quoted if quoted is not None else (match.group("bare") or "")
            field = op.lower()
            if field == "isbn":
                try:
                    isbn13, _ = isbn_pair(value)
                except InvalidISBN:
                    terms.append(_Term("text", _words(f"isbn {value}"), False, value))
                    continue
                terms.append(_Term("isbn", (isbn13,), False, value))
                continue
            terms.append(_Term(field, _words(value), quoted is not None, value))
        elif op is not None:
            terms.append(_Term("text", _words(match.group(0)), False, match.group(0)))
        elif match.group("phrase") is not None:
            phrase = match.group("phrase")
            terms.append(_Term("text", _words(phrase), True, phrase))
        else:
            word = match.group("word")
            terms.append(_Term("text", _words(word), False, word))
    return [t for t in terms if t.words or t.field in {"lccn", "oclc"}]


# -- the index ------------------------------------------------------------------------------


@attrs.frozen
class _Doc:
    order: int
    work: CatalogWork
    edition: CatalogEdition
    authors: tuple[str, ...]
    title_words: tuple[str, ...]
    full_title_words: tuple[str, ...]
    author_words: tuple[tuple[str, ...], ...]
    author_tokens: tuple[tuple[str, ...], ...]
    publisher_words: tuple[str, ...]
    subject_words: tuple[tuple[str, ...], ...]
    isbns: frozenset[str]
    year: int


def _has(haystack: Sequence[str], term: _Term, words: Sequence[str] | None = None) -> bool:
    """A quoted phrase as a contiguous run; otherwise every word, anywhere in the field."""
    needle = term.words if words is None else words
    if term.phrase:
        return _contains(haystack, needle)
    return bool(needle) and set(needle) <= set(haystack)


def _matches(doc: _Doc, term: _Term) -> bool:
    if term.field == "isbn":
        return term.words[0] in doc.isbns
    if term.field in {"lccn", "oclc"}:
        return False
    if term.field == "intitle":
        return _has(doc.full_title_words, term)
    if term.field == "inauthor":
        return _author_matches(doc, term)
    if term.field == "inpublisher":
        return _has(doc.publisher_words, term)
    if term.field == "subject":
        return any(_has(s, term) for s in doc.subject_words)
    fields = (doc.full_title_words, *doc.author_words, *doc.author_tokens)
    return any(_has(f, term) for f in fields)


def _author_matches(doc: _Doc, term: _Term) -> bool:
    tokens = name_tokens(term.raw)
    for index, words in enumerate(doc.author_words):
        if _has(words, term) or (tokens and _has(doc.author_tokens[index], term, tokens)):
            return True
    return term.phrase and any(names_match(term.raw, name) for name in doc.authors)


def _score(doc: _Doc, terms: Sequence[_Term]) -> int:
    score = 0
    title_words = set(doc.full_title_words)
    for term in terms:
        if term.field in {"text", "intitle"}:
            score += sum(1 for w in term.words if w in title_words)
            if title_key(" ".join(term.words)) == title_key(" ".join(doc.title_words)):
                score += 10
        elif term.field == "isbn":
            score += 20
    return score


# -- fields= ----------------------------------------------------------------------------------


_Selector = dict[str, Any]


class _FieldsError(ValueError):
    pass


def parse_fields(spec: str) -> _Selector:
    """Google's partial-response selector (``a,b(c,d/e)``) as a tree; ``None`` leaves = all."""
    tree, end = _parse_field_list(spec, 0)
    if end != len(spec):
        raise _FieldsError(spec)
    return tree


def _parse_field_list(spec: str, index: int) -> tuple[_Selector, int]:
    tree: _Selector = {}
    while True:
        match = _FIELD_NAME.match(spec, index)
        if match is None:
            raise _FieldsError(spec)
        path = match.group(0).split("/")
        index = match.end()
        sub: _Selector | None = None
        if index < len(spec) and spec[index] == "(":
            sub, index = _parse_field_list(spec, index + 1)
            if index >= len(spec) or spec[index] != ")":
                raise _FieldsError(spec)
            index += 1
        node = tree
        for part in path[:-1]:
            child: _Selector | None = node.get(part, {})
            if child is None:
                break
            node[part] = child
            node = child
        else:
            leaf = path[-1]
            if leaf in node and node[leaf] is not None and sub is not None:
                node[leaf].update(sub)
            else:
                node[leaf] = sub
        if index < len(spec) and spec[index] == ",":
            index += 1
            continue
        return tree, index


def apply_fields(value: Any, selector: _Selector | None) -> Any:
    """``value`` trimmed to ``selector`` (lists are trimmed item by item)."""
    if selector is None:
        return value
    if isinstance(value, list):
        return [apply_fields(item, selector) for item in value]
    if not isinstance(value, Mapping):
        return value
    if "*" in selector:
        return {k: apply_fields(v, selector["*"]) for k, v in value.items()}
    return {k: apply_fields(value[k], sub) for k, sub in selector.items() if k in value}


# -- error bodies ---------------------------------------------------------------------------


def google_error(
    code: int,
    message: str,
    reason: str,
    status: str,
    *,
    location: str | None = None,
    details: list[dict[str, Any]] | None = None,
    domain: str = "global",
) -> dict[str, Any]:
    """Google's JSON error envelope."""
    entry: dict[str, Any] = {"message": message, "domain": domain, "reason": reason}
    if location is not None:
        entry["location"] = location
        entry["locationType"] = "parameter"
    error: dict[str, Any] = {"code": code, "message": message, "errors": [entry], "status": status}
    if details:
        error["details"] = details
    return {"error": error}


def _quota_body(period: str, project: str) -> dict[str, Any]:
    if period == "day":
        limit_name, quota_limit, value = "Queries per day", "defaultPerDayPerProject", "1000"
    else:
        limit_name, quota_limit, value = (
            "Queries per minute per user",
            "defaultPerMinutePerUser",
            "100",
        )
    message = (
        f"Quota exceeded for quota metric 'Queries' and limit '{limit_name}' of service "
        f"'books.googleapis.com' for consumer 'project_number:{project}'."
    )
    details: list[dict[str, Any]] = [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {
                "quota_limit": quota_limit,
                "quota_metric": "books.googleapis.com/default",
                "quota_limit_value": value,
                "quota_location": "global",
                "service": "books.googleapis.com",
                "consumer": f"projects/{project}",
            },
        },
        {
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [
                {
                    "description": "Request a higher quota limit.",
                    "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                }
            ],
        },
    ]
    return google_error(429, message, "rateLimitExceeded", "RESOURCE_EXHAUSTED", details=details)


_UNREGISTERED = (
    "Method doesn't allow unregistered callers (callers without established identity). "
    "Please use API Key or other form of API consumer identity to call this API."
)


class FakeGoogleBooks(FakeProvider):
    """A fake Google Books API v1 over a `Catalog`; see the module docstring for what it serves.

    ``require_key``: 403 without ``key=``. ``keyless_429_rate``: chance of the shared anonymous
    pool's per-day 429 on a keyless request. ``daily_quota``: requests answered before every
    further one gets the per-day 429 (keyed and keyless alike). ``rate_limit``: per-minute 429s.
    """

    name: ClassVar[str] = "googlebooks"
    mount: ClassVar[str] = "/googlebooks"

    def __init__(
        self,
        catalog: Catalog | None = None,
        *,
        require_key: bool = False,
        keyless_429_rate: float = 0.0,
        daily_quota: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(catalog, **kwargs)
        if not 0.0 <= keyless_429_rate <= 1.0:
            raise ValueError("keyless_429_rate must be between 0 and 1")
        if daily_quota is not None and daily_quota < 0:
            raise ValueError("daily_quota must be zero or more")
        self.require_key = require_key
        self.keyless_429_rate = keyless_429_rate
        self.daily_quota = daily_quota
        self.served = 0
        self._gate = threading.Lock()
        self._pool_random = random.Random(kwargs.get("seed", 0) + 1)
        self._docs: list[_Doc] | None = None
        self._by_id: dict[str, _Doc] = {}
        self._recent: dict[tuple[str, str | None, bool, bool], list[_Doc]] = {}

    # -- FakeProvider hooks ---------------------------------------------------------------

    def rate_limited(self, request: FakeRequest) -> FakeResponse:
        project = KEYED_PROJECT if request.param("key") else ANONYMOUS_PROJECT
        return FakeResponse.json(_quota_body("minute", project), 429, indent=2)

    def server_error(self, status: int) -> FakeResponse:
        if status == 503:
            body = google_error(
                503, "Service temporarily unavailable.", "backendError", "UNAVAILABLE"
            )
        else:
            body = google_error(status, "Backend Error", "backendError", "INTERNAL")
        return FakeResponse.json(body, status, indent=2)

    def route(self, request: FakeRequest) -> FakeResponse:
        segments = [unquote(s) for s in request.raw_path.split("/") if s]
        if tuple(segments[:2]) == _PREFIX:
            segments = segments[2:]
        key = request.param("key") or None
        refusal = self._gate_check(key)
        if refusal is not None:
            return refusal
        if request.method != "GET" or not segments or segments[0] != "volumes":
            return self._not_found_page(request)
        if len(segments) == 1:
            return self._list(request)
        if len(segments) == 2:
            return self._get(request, segments[1])
        return self._not_found_page(request)

    # -- gates ------------------------------------------------------------------------------

    def _gate_check(self, key: str | None) -> FakeResponse | None:
        if self.require_key and key is None:
            body = google_error(403, _UNREGISTERED, "forbidden", "PERMISSION_DENIED")
            return FakeResponse.json(body, 403, indent=2)
        with self._gate:
            self.served += 1
            over_quota = self.daily_quota is not None and self.served > self.daily_quota
            pool_spent = (
                key is None
                and self.keyless_429_rate > 0
                and self._pool_random.random() < self.keyless_429_rate
            )
        if over_quota or pool_spent:
            project = ANONYMOUS_PROJECT if key is None else KEYED_PROJECT
            return FakeResponse.json(_quota_body("day", project), 429, indent=2)
        return None

    def _not_found_page(self, request: FakeRequest) -> FakeResponse:
        path = html.escape(request.path)
        return FakeResponse.html(
            "<!DOCTYPE html><html lang=en><meta charset=utf-8>"
            "<title>Error 404 (Not Found)!!1</title>"
            f"<p><b>404.</b> <ins>That’s an error.</ins><p>The requested URL <code>{path}</code> "
            "was not found on this server. <ins>That’s all we know.</ins>",
            404,
        )

    # -- index ------------------------------------------------------------------------------

    def _index(self) -> list[_Doc]:
        with self._gate:
            if self._docs is not None:
                return self._docs
        docs: list[_Doc] = []
        by_id: dict[str, _Doc] = {}
        for work, edition in self.catalog.editions():
            if not edition.google_id or "googlebooks" not in edition.providers:
                continue
            authors = tuple(edition.authors) or tuple(self.catalog.author_names(work))
            isbns = {i for i in (edition.isbn13,) if i}
            if edition.isbn10:
                isbns.add(isbn_pair(edition.isbn10)[0])
            year_text = google_date(edition.publish_date)
            doc = _Doc(
                order=len(docs),
                work=work,
                edition=edition,
                authors=authors,
                title_words=_words(edition.title),
                full_title_words=_words(f"{edition.title} {edition.subtitle or ''}"),
                author_words=tuple(_words(a) for a in authors),
                author_tokens=tuple(name_tokens(a) for a in authors),
                publisher_words=_words(edition.publisher),
                subject_words=tuple(_words(s) for s in work.subjects),
                isbns=frozenset(isbns),
                year=int(year_text[:4]) if year_text else 0,
            )
            docs.append(doc)
            by_id[edition.google_id] = doc
        with self._gate:
            self._docs, self._by_id = docs, by_id
        return docs

    # -- volumes.list -----------------------------------------------------------------------

    def _list(self, request: FakeRequest) -> FakeResponse:
        q = request.param("q")
        if q is None or not q.strip():
            return _bad_request("Missing query.", "queryRequired", "q")
        max_results = request.int_param("maxResults", DEFAULT_RESULTS)
        if max_results is None:
            return _invalid_value("max_results", "TYPE_INT32", request.param("maxResults"))
        if not 0 <= max_results <= MAX_RESULTS:
            return _bad_request(
                f"Values must be within the range: [0, {MAX_RESULTS}]", "invalid", "maxResults"
            )
        start = request.int_param("startIndex", 0)
        if start is None:
            return _invalid_value("start_index", "TYPE_INT32", request.param("startIndex"))
        if start < 0:
            return _bad_request(
                "Values must be within the range: [0, 2147483647]", "invalid", "startIndex"
            )
        print_type = (request.param("printType") or "all").lower()
        if print_type not in {"all", "books", "magazines"}:
            return _invalid_value("print_type", "PrintType", request.param("printType"))
        order_by = (request.param("orderBy") or "relevance").lower()
        if order_by not in {"relevance", "newest"}:
            return _invalid_value("order_by", "OrderBy", request.param("orderBy"))
        selector, error = _selector(request)
        if error is not None:
            return error
        lang = (request.param("langRestrict") or "").strip().lower() or None
        docs = self._results(
            q, lang=lang, books=print_type != "magazines", newest=order_by == "newest"
        )
        body: dict[str, Any] = {"kind": "books#volumes", "totalItems": _estimate(len(docs))}
        page = docs[start : start + max_results]
        if page:
            country = _country(request)
            body["items"] = [self._volume(d, q=q, country=country, full=False) for d in page]
        return _json(apply_fields(body, selector), request)

    def _results(self, q: str, *, lang: str | None, books: bool, newest: bool) -> list[_Doc]:
        """The ranked matches; the last few are kept, so paging a big answer stays cheap."""
        key = (q, lang, books, newest)
        with self._gate:
            cached = self._recent.get(key)
        if cached is not None:
            return cached
        terms = parse_q(q)
        docs: list[_Doc] = []
        if terms and books:
            docs = [
                doc
                for doc in self._index()
                if (lang is None or doc.edition.language == lang)
                and all(_matches(doc, term) for term in terms)
            ]
        if newest:
            docs.sort(key=lambda d: (-d.year, d.order))
        else:
            docs.sort(key=lambda d: (-_score(d, terms), d.order))
        with self._gate:
            if len(self._recent) >= _RECENT_QUERIES:
                self._recent.pop(next(iter(self._recent)))
            self._recent[key] = docs
        return docs

    # -- volumes.get ------------------------------------------------------------------------

    def _get(self, request: FakeRequest, volume_id: str) -> FakeResponse:
        self._index()
        doc = self._by_id.get(volume_id)
        if doc is None:
            body = google_error(
                503, "Service temporarily unavailable.", "backendError", "UNAVAILABLE"
            )
            return FakeResponse.json(body, 503, indent=2)
        selector, error = _selector(request)
        if error is not None:
            return error
        volume = self._volume(doc, q=None, country=_country(request), full=True)
        return _json(apply_fields(volume, selector), request)

    # -- rendering --------------------------------------------------------------------------

    def _volume(self, doc: _Doc, *, q: str | None, country: str, full: bool) -> dict[str, Any]:
        edition, work = doc.edition, doc.work
        volume_id = str(edition.google_id)
        salt = _digest(volume_id)
        ebook = edition.format == "eBook"
        info: dict[str, Any] = {"title": edition.title}
        if edition.subtitle:
            info["subtitle"] = edition.subtitle
        if doc.authors:
            info["authors"] = list(doc.authors)
        if edition.publisher:
            info["publisher"] = edition.publisher
        published = google_date(edition.publish_date)
        if published:
            info["publishedDate"] = published
        if work.description:
            info["description"] = (
                "<p>" + html.escape(work.description, quote=False).replace("\n", "<br>") + "</p>"
                if full
                else work.description
            )
        info["industryIdentifiers"] = _identifiers(edition, salt)
        info["readingModes"] = {"text": ebook, "image": False}
        if edition.pages:
            info["pageCount"] = edition.pages
            if full:
                info["printedPageCount"] = edition.pages + salt[1] % 9
        info["printType"] = "BOOK"
        if work.subjects:
            info["categories"] = (
                [f"{s} / General" for s in work.subjects] if full else [work.subjects[0]]
            )
        info["maturityRating"] = "NOT_MATURE"
        info["allowAnonLogging"] = ebook
        info["contentVersion"] = (
            f"{salt[2] % 3}.{salt[3] % 9}.{salt[4] % 5}.0.preview.{salt[5] % 4}"
        )
        if ebook:
            info["panelizationSummary"] = {
                "containsEpubBubbles": False,
                "containsImageBubbles": False,
            }
        has_cover = edition.cover_id is not None or work.cover_id is not None
        if has_cover:
            info["imageLinks"] = _image_links(volume_id, full=full)
        if edition.language:
            info["language"] = edition.language
        dq = f"&dq={quote(q, safe=':')}" if q is not None else ""
        info["previewLink"] = (
            f"http://books.google.com/books?id={volume_id}&printsec=frontcover{dq}&hl=&cd=1"
            "&source=gbs_api"
        )
        info["infoLink"] = f"http://books.google.com/books?id={volume_id}{dq}&hl=&source=gbs_api"
        slug = "_".join(w.capitalize() for w in _words(edition.title)) or "_"
        info["canonicalVolumeLink"] = (
            f"https://books.google.com/books/about/{slug}.html?hl=&id={volume_id}"
        )
        volume: dict[str, Any] = {
            "kind": "books#volume",
            "id": volume_id,
            "etag": base64.b64encode(_digest(volume_id + ":etag")).decode()[:11],
            "selfLink": f"https://www.googleapis.com/books/v1/volumes/{volume_id}",
            "volumeInfo": info,
            "saleInfo": _sale_info(volume_id, country, ebook, salt),
            "accessInfo": _access_info(volume_id, country, ebook),
        }
        if full:
            volume["layerInfo"] = {
                "layers": [{"layerId": "geo", "volumeAnnotationsVersion": str(salt[6] % 90 + 1)}]
            }
        elif work.description:
            snippet = work.description.split("\n", 1)[0][:200]
            volume["searchInfo"] = {
                "textSnippet": html.escape(snippet, quote=True).replace("&#x27;", "&#39;")
            }
        return volume


# -- rendering helpers ------------------------------------------------------------------------


def _identifiers(edition: CatalogEdition, salt: bytes) -> list[dict[str, str]]:
    entries: list[dict[str, str]] = []
    if edition.isbn13:
        entries.append({"type": "ISBN_13", "identifier": edition.isbn13})
    if edition.isbn10:
        entries.append({"type": "ISBN_10", "identifier": edition.isbn10})
    if not entries:
        number = int.from_bytes(salt[:6], "big") % 10**14
        return [{"type": "OTHER", "identifier": f"UOM:{39015000000000 + number % 10**9}"}]
    if salt[0] % 2:
        entries.reverse()
    return entries


def _image_links(volume_id: str, *, full: bool) -> dict[str, str]:
    base = f"http://books.google.com/books/content?id={volume_id}&printsec=frontcover&img=1"
    links = {
        "smallThumbnail": f"{base}&zoom=5&edge=curl&source=gbs_api",
        "thumbnail": f"{base}&zoom=1&edge=curl&source=gbs_api",
    }
    if full:
        for name, zoom in (("small", 2), ("medium", 3), ("large", 4)):
            links[name] = f"{base}&zoom={zoom}&edge=curl&imgtk=AFLRE7&source=gbs_api"
    return links


def _sale_info(volume_id: str, country: str, ebook: bool, salt: bytes) -> dict[str, Any]:
    if not ebook:
        return {"country": country, "saleability": "NOT_FOR_SALE", "isEbook": False}
    amount = 4.99 + salt[7] % 20
    currency = {"GB": "GBP", "FR": "EUR", "DE": "EUR", "BR": "BRL"}.get(country, "USD")
    price = {"amount": round(amount, 2), "currencyCode": currency}
    micros = {"amountInMicros": round(amount * 1_000_000), "currencyCode": currency}
    return {
        "country": country,
        "saleability": "FOR_SALE",
        "isEbook": True,
        "listPrice": price,
        "retailPrice": price,
        "buyLink": (
            f"https://play.google.com/store/books/details?id={volume_id}&rdid=book-{volume_id}"
            "&rdot=1&source=gbs_api"
        ),
        "offers": [
            {"finskyOfferType": 1, "listPrice": micros, "retailPrice": micros, "giftable": True}
        ],
    }


def _access_info(volume_id: str, country: str, ebook: bool) -> dict[str, Any]:
    return {
        "country": country,
        "viewability": "PARTIAL" if ebook else "NO_PAGES",
        "embeddable": ebook,
        "publicDomain": False,
        "textToSpeechPermission": "ALLOWED",
        "epub": {"isAvailable": ebook},
        "pdf": {"isAvailable": False},
        "webReaderLink": (f"http://play.google.com/books/reader?id={volume_id}&hl=&source=gbs_api"),
        "accessViewStatus": "SAMPLE" if ebook else "NONE",
        "quoteSharingAllowed": False,
    }


def _estimate(count: int) -> int:
    """Google's ``totalItems``: above the real count once there is more than one default page."""
    if count <= DEFAULT_RESULTS:
        return count
    return count + max(3, count // 5)


def _country(request: FakeRequest) -> str:
    value = (request.param("country") or "").strip().upper()
    return value if re.fullmatch(r"[A-Z]{2}", value) else "US"


def _selector(request: FakeRequest) -> tuple[_Selector | None, FakeResponse | None]:
    spec = request.param("fields")
    if spec is None or not spec.strip():
        return None, None
    try:
        return parse_fields(spec.replace(" ", "")), None
    except _FieldsError:
        return None, _bad_request(f"Invalid field selection {spec}", "invalidParameter", "fields")


def _json(body: Any, request: FakeRequest) -> FakeResponse:
    compact = (request.param("prettyPrint") or "").lower() == "false"
    return FakeResponse.json(body, indent=None if compact else 1)


def _bad_request(message: str, reason: str, location: str) -> FakeResponse:
    body = google_error(400, message, reason, "INVALID_ARGUMENT", location=location)
    return FakeResponse.json(body, 400, indent=2)


def _invalid_value(field: str, kind: str, value: str | None) -> FakeResponse:
    return _bad_request(f"Invalid value at '{field}' ({kind}), \"{value}\"", "invalid", field)
