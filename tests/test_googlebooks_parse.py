"""Google Books parsing: every recorded body, hand-written odd bodies, queries, error envelopes."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bookstracker.errors import InvalidISBN, InvalidQuery
from bookstracker.models import Edition
from bookstracker.providers.googlebooks import (
    build_query,
    cover_url,
    next_quota_reset,
    parse_authors,
    parse_error,
    parse_published,
    parse_search_hit,
    parse_search_page,
    parse_volume,
    parse_volumes,
    volume_isbns,
)

_PUBLISHED = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _load(folder: Path, name: str) -> Any:
    return json.loads((folder / "googlebooks" / name).read_bytes())


LIST, VOLUME = "books#volumes", "books#volume"


def _bodies(folder: Path, kind: str = LIST) -> list[tuple[str, Any]]:
    """The recorded bodies of one kind: list replies or single-volume GET replies.

    The bytes are decoded as they were recorded: some files start with a UTF-8 BOM.
    """
    files = sorted((folder / "googlebooks").glob("*.json"))
    assert files, "no recorded Google Books bodies"
    bodies = [(f.name, json.loads(f.read_bytes())) for f in files]
    assert {body.get("kind") for _, body in bodies} == {LIST, VOLUME}
    return [(name, body) for name, body in bodies if body["kind"] == kind]


def _check_edition(edition: Edition) -> None:
    assert edition.sources == ("googlebooks",)
    assert set(edition.keys) == {"googlebooks"}
    assert edition.title
    if edition.isbn13 is not None:
        assert re.fullmatch(r"97[89]\d{10}", edition.isbn13)
    if edition.isbn10 is not None:
        assert re.fullmatch(r"\d{9}[\dX]", edition.isbn10)
    if edition.published is not None:
        assert _PUBLISHED.match(edition.published)
    if edition.language is not None:
        assert re.fullmatch(r"[a-z]{2}", edition.language)
    if edition.cover_url is not None:
        assert edition.cover_url.startswith("https://")
        assert "edge=curl" not in edition.cover_url
    assert edition.pages is None or edition.pages > 0
    assert "" not in edition.authors


# -- recorded bodies ---------------------------------------------------------------------------


def test_every_recorded_body_parses_into_editions(shared_fixtures: Path) -> None:
    for name, body in _bodies(shared_fixtures):
        editions = parse_volumes(body)
        assert len(editions) == len(body.get("items", [])), name
        for edition in editions:
            _check_edition(edition)
    for name, body in _bodies(shared_fixtures, VOLUME):
        edition = parse_volume(body)
        assert edition is not None, name
        _check_edition(edition)
        assert edition.keys == {"googlebooks": body["id"]}


def test_every_recorded_body_parses_into_a_search_page(shared_fixtures: Path) -> None:
    for name, body in _bodies(shared_fixtures):
        page = parse_search_page(body)
        assert page.total == body["totalItems"], name
        assert len(page.hits) == len(body.get("items", []))
        for hit in page.hits:
            assert hit.sources == ("googlebooks",)
            assert all(re.fullmatch(r"97[89]\d{10}", i) for i in hit.isbn13)
    for name, body in _bodies(shared_fixtures, VOLUME):
        hit = parse_search_hit(body)
        assert hit is not None, name
        assert hit.keys == {"googlebooks": body["id"]}


def test_single_volume_get(shared_fixtures: Path) -> None:
    body = _load(shared_fixtures, "volume_49T5twEACAAJ.json")
    edition = parse_volume(body)
    assert edition is not None
    assert edition.keys == {"googlebooks": "49T5twEACAAJ"}
    assert edition.title == "Children of Time"
    assert edition.authors == ("Adrian Tchaikovsky",)
    assert (edition.isbn13, edition.isbn10) == ("9780316452502", "0316452505")
    assert edition.publisher == "Orbit"
    assert edition.published == "2018-12-11"
    assert edition.pages == 640
    assert edition.language == "en"
    assert edition.cover_url is not None
    assert edition.cover_url.startswith("https://books.google.com/books/content?id=49T5twEACAAJ")
    assert parse_volumes(body) == []  # a GET reply is one volume, not a list


def test_translation_get_with_a_timestamp_date(shared_fixtures: Path) -> None:
    edition = parse_volume(_load(shared_fixtures, "volume_G7utDwAAQBAJ.json"))
    assert edition is not None
    assert edition.title == "Dans la toile du temps"
    assert edition.authors == ("Adrian Tchaikovsky",)  # the translator is not credited
    assert edition.language == "fr"
    assert edition.published == "2019-10-03"  # the local date, not shifted to UTC (2019-10-02)
    assert (edition.isbn13, edition.isbn10) == ("9782072853319", "2072853311")
    assert edition.publisher == "Editions Gallimard"
    assert edition.pages == 704  # pageCount (publisher metadata); printedPageCount says 478
    assert edition.cover_url is not None
    assert "edge=curl" not in edition.cover_url


def test_search_lists_original_and_translation_as_separate_volumes(shared_fixtures: Path) -> None:
    body = _load(shared_fixtures, "volumes_search_children_of_time.json")
    page = parse_search_page(body)
    assert page.total == 1499
    assert [(h.keys["googlebooks"], h.language) for h in page.hits] == [
        ("49T5twEACAAJ", "en"),
        ("G7utDwAAQBAJ", "fr"),
    ]
    assert all(h.authors == ("Adrian Tchaikovsky",) for h in page.hits)
    assert [h.isbn13 for h in page.hits] == [("9780316452502",), ("9782072853319",)]
    assert [h.first_publish_year for h in page.hits] == [2018, 2019]
    listed = {e.keys["googlebooks"]: e for e in parse_volumes(body)}
    assert listed["49T5twEACAAJ"].pages is None  # the list says pageCount 0
    assert listed["G7utDwAAQBAJ"].pages == 478  # the list's pageCount is the GET's printed one
    for name in ("volume_49T5twEACAAJ.json", "volume_G7utDwAAQBAJ.json"):
        got = parse_volume(_load(shared_fixtures, name))
        assert got is not None
        same = listed[got.keys["googlebooks"]]
        fields = ("title", "authors", "isbn13", "isbn10", "publisher", "published", "language")
        assert [getattr(same, f) for f in fields] == [getattr(got, f) for f in fields]


def test_steve_jobs_volume(shared_fixtures: Path) -> None:
    body = _load(shared_fixtures, "volumes_q_isbn9781451648546_steve_jobs.json")
    (edition,) = parse_volumes(body)
    assert edition.title == "Steve Jobs"
    assert edition.authors == ("Walter Isaacson",)
    assert edition.isbn13 == "9781451648546"
    assert edition.isbn10 == "1451648545"
    assert edition.publisher == "Simon and Schuster"
    assert edition.published == "2011"
    assert edition.pages == 630
    assert edition.language == "en"
    assert edition.format is None
    assert edition.keys == {"googlebooks": "8U2oAAAAQBAJ"}
    assert edition.cover_url == (
        "https://books.google.com/books/content?id=8U2oAAAAQBAJ&printsec=frontcover"
        "&img=1&zoom=1&source=gbs_api"
    )


def test_search_hit_year_is_the_editions_year(shared_fixtures: Path) -> None:
    body = _load(shared_fixtures, "volumes_q_intitle_harry_potter_fr_omnibus.json")
    (hit,) = parse_search_page(body).hits
    assert hit.first_publish_year == 2016
    assert hit.language == "fr"
    assert hit.isbn13 == ("9781781106501",)
    assert hit.keys == {"googlebooks": "q7B2CwAAQBAJ"}


def test_zero_results_body_is_an_empty_page(shared_fixtures: Path) -> None:
    body = _load(shared_fixtures, "volumes_q_isbn_xxxx_zero_results.json")
    page = parse_search_page(body)
    assert page.hits == ()
    assert page.total == 0
    assert parse_volumes(body) == []


def test_two_authors_and_subtitle(shared_fixtures: Path) -> None:
    body = _load(shared_fixtures, "volumes_q_isbn0387493336_two_authors.json")
    (edition,) = parse_volumes(body)
    assert edition.authors == ("Richard H. Enns", "George C. McGuire")
    assert edition.subtitle is not None
    assert edition.published == "2007-12-31"


def test_year_only_and_missing_published_date(shared_fixtures: Path) -> None:
    year_only = _load(shared_fixtures, "volumes_q_isbn1937785491_publishedDate_year_only.json")
    missing = _load(shared_fixtures, "volumes_q_isbn9788575222614_no_publishedDate.json")
    assert parse_volumes(year_only)[0].published == "2013"
    (edition,) = parse_volumes(missing)
    assert edition.published is None
    assert edition.language == "pt"
    assert edition.authors == ("Maurício Samy Silva",)
    assert edition.cover_url is None


def test_other_identifiers_only_give_no_isbn(shared_fixtures: Path) -> None:
    body = _load(shared_fixtures, "volumes_q_isbn_empty_value.json")
    by_id = {e.keys["googlebooks"]: e for e in parse_volumes(body)}
    assert by_id["t5rgAAAAMAAJ"].isbn13 is None
    assert by_id["t5rgAAAAMAAJ"].isbn10 is None
    assert by_id["_n3hAAAAMAAJ"].authors == ()
    assert by_id["i1lrYuczMUMC"].authors == ("Walravens, Hartmut",)
    assert by_id["78RPDAAAQBAJ"].authors == ()


def test_malformed_isbn_fallback_volume_is_not_the_isbn(shared_fixtures: Path) -> None:
    body = _load(shared_fixtures, "volumes_q_ISBN_INVALID_ISBN_country_GB_maxResults1.json")
    assert volume_isbns(body["items"][0]) == ["9781856870405"]
    assert body["totalItems"] == 1119


def test_volume_without_identifiers_authors_or_date(shared_fixtures: Path) -> None:
    body = _load(shared_fixtures, "volumes_q_ruby_maxResults5_printType_books.json")
    first = parse_volumes(body)[0]
    assert first.title == "The Ultimate Guide to Ruby Programming"
    assert (first.isbn13, first.authors, first.published) == (None, (), None)


# -- hand-written odd bodies ---------------------------------------------------------------------


def _volume(**info: Any) -> dict[str, Any]:
    return {"kind": "books#volume", "id": "abcdefghijkl", "volumeInfo": {"title": "T", **info}}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2011", "2011"),
        ("2011-09", "2011-09"),
        ("2011-9-5", "2011-09-05"),
        ("2011-09-05T00:00:00Z", "2011-09-05"),
        ("2019-10-03T00:00:00+02:00", "2019-10-03"),
        ("2019-10-03T23:30:00-05:00", "2019-10-03"),
        (2011, "2011"),
        ("2011-13", "2011-13"),
        ("2011-02-30", "2011-02-30"),
        ("2004*", "2004*"),
        ("", None),
        (None, None),
        ([], None),
    ],
)
def test_published_dates(value: Any, expected: str | None) -> None:
    assert parse_published(value) == expected


def test_odd_types_are_tolerated() -> None:
    edition = parse_volume(
        _volume(
            authors="Terry Pratchett and Neil Gaiman",
            pageCount="369",
            language="zh-CN",
            industryIdentifiers={"0": {"type": "ISBN_10", "identifier": "0553418025"}},
            imageLinks="not a mapping",
            publisher=["not", "a", "string"],
            printType="MAGAZINE",
        )
    )
    assert edition is not None
    assert edition.authors == ("Terry Pratchett", "Neil Gaiman")
    assert edition.pages == 369
    assert edition.language == "zh"
    assert (edition.isbn13, edition.isbn10) == ("9780553418026", "0553418025")
    assert edition.cover_url is None
    assert edition.publisher is None
    assert edition.format == "Magazine"


def test_zero_pages_and_unknown_language_are_none() -> None:
    edition = parse_volume(_volume(pageCount=0, language="un"))
    assert edition is not None
    assert (edition.pages, edition.language) == (None, None)


def test_printed_page_count_is_the_fallback() -> None:
    edition = parse_volume(_volume(pageCount=0, printedPageCount=412))
    assert edition is not None
    assert edition.pages == 412


def test_invalid_isbn13_falls_back_to_the_isbn10() -> None:
    edition = parse_volume(
        _volume(
            industryIdentifiers=[
                {"type": "ISBN_13", "identifier": "9780553418020"},
                {"type": "OTHER", "identifier": "UOM:39015081566500"},
                {"type": "ISBN_10", "identifier": "080442957X"},
                {"type": "ISBN_10"},
                "junk",
            ]
        )
    )
    assert edition is not None
    assert (edition.isbn13, edition.isbn10) == ("9780804429573", "080442957X")


def test_volume_without_title_or_id_is_skipped() -> None:
    assert parse_volume({"id": "x", "volumeInfo": {"authors": ["A"]}}) is None
    assert parse_volume({"volumeInfo": {"title": "T"}}) is None
    assert parse_volume("junk") is None
    assert parse_search_hit({"id": "x"}) is None
    assert parse_volumes({"items": "junk"}) == []
    assert parse_volumes([1, 2]) == []
    assert parse_search_page("junk").hits == ()


@pytest.mark.parametrize(
    ("authors", "expected"),
    [
        (["Simon and Schuster"], ("Simon and Schuster",)),
        (["Gaiman, Neil; Pratchett, Terry"], ("Gaiman, Neil", "Pratchett, Terry")),
        (["Rowling, J.K."], ("Rowling, J.K.",)),
        (["  Walter   Isaacson "], ("Walter Isaacson",)),
        (["A. Author", "A. Author"], ("A. Author",)),
        (["ISBN:978-1-891267-03-1"], ()),
        ([None, 5, ""], ("5",)),
    ],
)
def test_author_strings(authors: Any, expected: tuple[str, ...]) -> None:
    assert parse_authors(authors) == expected


def test_cover_prefers_thumbnail_and_drops_the_curl() -> None:
    links = {
        "smallThumbnail": "http://books.google.com/books/content?id=X&zoom=5&edge=curl",
        "thumbnail": "http://books.google.com/books/content?id=X&zoom=1&edge=curl&source=gbs_api",
    }
    assert cover_url(links) == "https://books.google.com/books/content?id=X&zoom=1&source=gbs_api"
    assert cover_url({"large": "http://x.example/c?edge=curl"}) == "https://x.example/c"
    assert cover_url({}) is None


# -- queries ---------------------------------------------------------------------------------------


def test_query_operators_are_quoted_when_multi_word() -> None:
    q = build_query(
        "space", title="the martian", author="Weir", publisher="Crown", subject="Science fiction"
    )
    assert (
        q == 'space intitle:"the martian" inauthor:Weir inpublisher:Crown subject:"Science fiction"'
    )


def test_query_isbn_is_bare_isbn13() -> None:
    assert build_query(isbn="0-553-41802-5") == "isbn:9780553418026"


def test_query_quotes_inside_values_are_dropped() -> None:
    assert build_query(title='say "hello"  world') == 'intitle:"say hello world"'


@pytest.mark.parametrize("kwargs", [{}, {"query": "   "}, {"title": '""'}, {"author": ""}])
def test_empty_query_is_invalid(kwargs: dict[str, Any]) -> None:
    with pytest.raises(InvalidQuery):
        build_query(**kwargs)


def test_bad_isbn_in_query_is_invalid() -> None:
    with pytest.raises(InvalidISBN):
        build_query(isbn="123")


def test_overlong_query_is_invalid() -> None:
    with pytest.raises(InvalidQuery):
        build_query("x" * 2000)


# -- error envelopes ---------------------------------------------------------------------------


def _error(code: int, message: str, reason: str, status: str, **extra: Any) -> dict[str, Any]:
    inner = {"message": message, "domain": "global", "reason": reason}
    return {
        "error": {"code": code, "message": message, "errors": [inner], "status": status, **extra}
    }


def test_daily_429_message_is_daily() -> None:
    body = _error(
        429,
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per day' of service "
        "'books.googleapis.com' for consumer 'project_number:624717413613'.",
        "rateLimitExceeded",
        "RESOURCE_EXHAUSTED",
    )
    error = parse_error(body)
    assert error.code == 429
    assert error.reasons == ("rateLimitExceeded",)
    assert error.is_daily


def test_per_minute_429_message_is_not_daily() -> None:
    body = _error(
        429,
        "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of "
        "service 'books.googleapis.com' for consumer 'project_number:1'.",
        "rateLimitExceeded",
        "RESOURCE_EXHAUSTED",
    )
    assert not parse_error(body).is_daily


def test_quota_limit_detail_decides() -> None:
    body = _error(
        429,
        "Quota exceeded.",
        "rateLimitExceeded",
        "RESOURCE_EXHAUSTED",
        details=[
            {
                "reason": "RATE_LIMIT_EXCEEDED",
                "metadata": {"quota_limit": "defaultPerDayPerProject"},
            }
        ],
    )
    error = parse_error(body)
    assert error.quota_limits == ("defaultPerDayPerProject",)
    assert error.is_daily


def test_unregistered_daily_limit_is_daily() -> None:
    body = _error(
        403,
        "Daily Limit for Unauthenticated Use Exceeded. Continued use requires signup.",
        "dailyLimitExceededUnreg",
        "PERMISSION_DENIED",
    )
    assert parse_error(body).is_daily


def test_error_envelope_is_read_leniently() -> None:
    assert parse_error({}).message is None
    assert parse_error({"error": "plain text"}).message == "plain text"
    assert parse_error({"error": {"errors": "junk", "details": [None]}}).reasons == ()


# -- quota reset -----------------------------------------------------------------------------------


def _utc(*args: int) -> float:
    return dt.datetime(*args, tzinfo=dt.timezone.utc).timestamp()


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (_utc(2026, 7, 1, 12, 0), _utc(2026, 7, 2, 7, 0)),  # PDT
        (_utc(2026, 1, 15, 3, 0), _utc(2026, 1, 15, 8, 0)),  # PST, still the 14th in LA
        (_utc(2026, 3, 7, 12, 0), _utc(2026, 3, 8, 8, 0)),  # the night DST starts
    ],
)
def test_quota_resets_at_pacific_midnight(now: float, expected: float) -> None:
    resets_at = next_quota_reset(now)
    assert resets_at == expected
    local = dt.datetime.fromtimestamp(resets_at, ZoneInfo("America/Los_Angeles"))
    assert (local.hour, local.minute) == (0, 0)
