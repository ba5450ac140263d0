"""The OpenLibrary parsers, on every recorded body and on hand-written odd ones."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import ean

from bookstracker.errors import InvalidQuery
from bookstracker.isbn import is_valid_isbn, normalize_isbn
from bookstracker.models import SearchHit
from bookstracker.providers.openlibrary import (
    MAX_HIT_ISBNS,
    MAX_SIGNAL_ISBNS,
    WorkRecord,
    WorkSignals,
    authors_from_by_statement,
    bare_key,
    cover_url,
    next_offset,
    parse_api_books,
    parse_author_doc,
    parse_author_record,
    parse_author_search,
    parse_edition_record,
    parse_editions_page,
    parse_publish_date,
    parse_search,
    parse_search_doc,
    parse_work_record,
    parse_work_signals,
    parse_works_page,
    user_agent_identifies,
)

OL = "openlibrary"

# Every JSON body of the folder, with the parser that reads it; a new fixture fails
# `test_every_recorded_body_is_covered` until it is added here.
PARSERS: dict[str, str] = {
    "search_q_candide_author_voltaire.json": "search",
    "search_q_no_match_author_voltaire.json": "search",
    "search_q_denver_limit5.json": "search",
    "search_time_war_legacy.json": "search",
    "search_author_tolkien_title_lord_of_the_rings_2013.json": "search",
    "search_authors_q_voltaire.json": "author_search",
    "search_authors_q_ambrose_bierce.json": "author_search",
    "search_authors_q_no_match.json": "author_search",
    "authors_OL34184A_roald_dahl.json": "author",
    "authors_OL2830895A_works_limit1000_rothfuss.json": "works_page",
    "works_OL15832982W_sabriel.json": "work",
    "works_OL45804W_fantastic_mr_fox.json": "work",
    "works_OL15832982W_editions_sabriel.json": "editions_page",
    "works_OL27258W_editions_limit10_neuromancer_2013.json": "editions_page",
    "books_OL22951843M_sabriel.json": "edition",
    "books_OL36884359M_markdown_description.json": "edition",
    "api_books_ISBN9782070427796_jscmd_data.json": "api_books",
    "api_books_ISBN0385472579_jscmd_data.json": "api_books",
    "api_books_ISBN2070464237_jscmd_data_compact_wire.json": "api_books",
    "api_books_ISBN0804720991_jscmd_details.json": "api_books",
    "api_books_ISBN0140446044_jscmd_details.json": "api_books",
    "api_books_invalid_isbn_jscmd_details_empty.json": "api_books",
    "search_q_capitalism_and_freedom_2013.json": "search",
    "search_q_harry_potter_2021.json": "search",
    "search_q_the_lord_of_the_rings_offset100_2021.json": "search",
    "search_q_the_lord_of_the_rings_page1_2020.json": "search",
    "search_q_narnia_2021.json": "search",
    "search_q_sisyphus_2019.json": "search",
    "search_title_dr_stone_vol_1.json": "search",
    "search_authors_q_riichiro_inagaki.json": "author_search",
    "authors_OL2993106A.json": "author",
    "works_OL37805541W.json": "work",
    "books_OL23109860M.json": "edition",
    "books_OL7353617M.json": "edition",
    "books_OL26964454M.json": "edition",
    "error_429_openlibrary_org.json": "error",
    "error_429_covers_openlibrary_org.json": "error",
}


def load(folder: Path, name: str) -> Any:
    return json.loads((folder / OL / name).read_bytes())


def dump_records(folder: Path, name: str) -> list[Any]:
    lines = (folder / OL / "dump_samples" / name).read_bytes().decode("utf-8-sig").splitlines()
    return [json.loads(line.split("\t")[4]) for line in lines if line.strip()]


# -- every recorded body ---------------------------------------------------------------------


def test_every_recorded_body_is_covered(shared_fixtures: Path) -> None:
    on_disk = {p.name for p in (shared_fixtures / OL).glob("*.json")}
    assert on_disk == set(PARSERS)


@pytest.mark.parametrize("name", sorted(n for n, kind in PARSERS.items() if kind != "error"))
def test_every_recorded_body_parses_into_models(shared_fixtures: Path, name: str) -> None:
    body = load(shared_fixtures, name)
    kind = PARSERS[name]
    if kind == "search":
        page = parse_search(body)
        records = [d for d in body["docs"] if not str(d["key"]).startswith("ia:")]
        assert len(page.hits) == len(records)
        assert all(re.fullmatch(r"OL\d+[WM]", h.keys[OL]) for h in page.hits)
        assert all(h.sources == (OL,) for h in page.hits)
        assert list(parse_work_signals(body)) == [h.keys[OL] for h in page.hits]
    elif kind == "author_search":
        authors = parse_author_search(body)
        assert len(authors) == len(body["docs"])
        assert all("/" not in a.keys[OL] for a in authors)
    elif kind == "author":
        assert parse_author_record(body) is not None
    elif kind == "works_page":
        assert len(parse_works_page(body).works) == len(body["entries"])
    elif kind == "work":
        assert parse_work_record(body) is not None
    elif kind == "editions_page":
        assert len(parse_editions_page(body).editions) == len(body["entries"])
    elif kind == "edition":
        assert parse_edition_record(body) is not None
    else:
        assert set(parse_api_books(body)) == set(body)


def test_search_candide_full_field_docs(shared_fixtures: Path) -> None:
    page = parse_search(load(shared_fixtures, "search_q_candide_author_voltaire.json"))
    assert page.total == 3151
    first = page.hits[0]
    assert first.keys == {OL: "OL100672W"}
    assert first.title == "Candide"
    assert first.authors[0] == "Voltaire"
    assert first.first_publish_year == 1746
    assert first.edition_count == 1079
    assert first.cover_url == "https://covers.openlibrary.org/b/id/12736044-M.jpg"
    assert first.language is None  # twelve languages
    assert 0 < len(first.isbn13) <= MAX_HIT_ISBNS  # the doc holds 1,481 ISBNs
    assert all(len(i) == 13 and i.isdigit() for i in first.isbn13)


def test_search_single_language_and_junk_title(shared_fixtures: Path) -> None:
    page = parse_search(load(shared_fixtures, "search_q_denver_limit5.json"))
    assert page.total == 8849
    assert page.hits[0].title == "Denver **"
    assert page.hits[0].language == "en"
    assert page.hits[0].cover_url is None
    assert any(h.language is None for h in page.hits)


def test_search_empty(shared_fixtures: Path) -> None:
    page = parse_search(load(shared_fixtures, "search_q_no_match_author_voltaire.json"))
    assert page.total == 0
    assert page.hits == ()


def test_search_legacy_shape_and_bare_2013_keys(shared_fixtures: Path) -> None:
    legacy = parse_search(load(shared_fixtures, "search_time_war_legacy.json"))
    assert legacy.total == 2
    assert [h.keys[OL] for h in legacy.hits] == ["OL20639540W", "OL19859295W"]
    assert legacy.hits[0].authors == ("Amal El-Mohtar", "Max Gladstone")
    assert legacy.hits[0].isbn13 == ("9781534431003",)
    old = parse_search(
        load(shared_fixtures, "search_author_tolkien_title_lord_of_the_rings_2013.json")
    )
    assert old.total == 81
    assert old.hits[0].keys == {OL: "OL27448W"}


def test_author_search_bare_keys_and_scripts(shared_fixtures: Path) -> None:
    authors = parse_author_search(load(shared_fixtures, "search_authors_q_voltaire.json"))
    voltaire = authors[0]
    assert voltaire.keys == {OL: "OL32293A"}
    assert "Вольтер" in voltaire.alternate_names
    assert voltaire.birth_date == "21 November 1694"
    assert isinstance(voltaire.work_count, int)
    bierce = parse_author_search(load(shared_fixtures, "search_authors_q_ambrose_bierce.json"))
    assert bierce[0].keys == {OL: "OL21093A"}
    assert bierce[0].work_count == 818
    assert bierce[0].top_work == "The Devil's Dictionary"
    assert bierce[0].death_date == "1914?"
    assert parse_author_search(load(shared_fixtures, "search_authors_q_no_match.json")) == []


def test_author_record(shared_fixtures: Path) -> None:
    dahl = parse_author_record(load(shared_fixtures, "authors_OL34184A_roald_dahl.json"))
    assert dahl is not None
    assert dahl.name == "Roald Dahl"
    assert dahl.keys == {OL: "OL34184A"}
    assert dahl.birth_date == "13 September 1916"
    assert dahl.death_date == "23 November 1990"


def test_works_page_rothfuss(shared_fixtures: Path) -> None:
    body = load(shared_fixtures, "authors_OL2830895A_works_limit1000_rothfuss.json")
    listing = parse_works_page(body)
    assert listing.total == 13
    assert listing.complete
    by_key = {w.key: w for w in listing.works}
    assert len(by_key["OL19335978W"].author_keys) == 47  # the anthology Unfettered
    assert by_key["OL8479867W"].author_keys == ("OL2830895A", "OL9493618A")
    assert by_key["OL9772091W"].covers == (6691903,)  # the -1 sentinel is dropped
    assert by_key["OL17093029W"].covers == ()
    plain = by_key["OL8479867W"].description
    typed = by_key["OL16817144W"].description
    assert plain is not None
    assert plain.startswith("The Name of the Wind")
    assert typed is not None
    assert typed.startswith("Part of:")
    assert "\r" not in typed
    assert all(w.type == "work" and w.languages == () for w in listing.works)


def test_work_records(shared_fixtures: Path) -> None:
    sabriel = parse_work_record(load(shared_fixtures, "works_OL15832982W_sabriel.json"))
    assert sabriel is not None
    assert sabriel.key == "OL15832982W"
    assert sabriel.first_publish_year == 1995
    assert sabriel.description == "First in the Old Kingdom/Abhorsen series."
    assert sabriel.covers == (6796986, 3843137)
    assert sabriel.author_keys == ("OL382982A",)
    assert "Fantasy" in sabriel.subjects
    assert sabriel.cover_url == "https://covers.openlibrary.org/b/id/6796986-M.jpg"
    fox = parse_work_record(load(shared_fixtures, "works_OL45804W_fantastic_mr_fox.json"))
    assert fox is not None
    assert fox.type == "work"  # a stray "location" on a work is not a redirect
    assert fox.redirect_to is None
    assert -1 not in fox.covers
    assert fox.description is not None


def test_editions_page_sabriel(shared_fixtures: Path) -> None:
    page = parse_editions_page(load(shared_fixtures, "works_OL15832982W_editions_sabriel.json"))
    assert page.total == 15
    assert page.complete
    by_key = {e.keys[OL]: e for e in page.editions}
    spanish = by_key["OL9142127M"]
    assert spanish.language == "es"
    assert spanish.format == "Hardcover"
    assert spanish.published == "2006-11"
    assert spanish.publisher == "Rba Libros"
    assert spanish.work_key == "OL15832982W"
    assert spanish.authors == ()  # record holds author keys only, no by_statement
    harper = by_key["OL22951843M"]
    assert (harper.isbn13, harper.isbn10) == ("9780060273224", "0060273224")  # isbn_10 only
    assert harper.authors == ("Garth Nix",)  # from by_statement
    assert by_key["OL9952943M"].published == "2008-04-22"
    assert by_key["OL7262051M"].language is None
    ebook = by_key["OL24278530M"]
    assert ebook.isbn13 == "9780060005467"
    assert ebook.format == "Electronic resource"
    shared = [e for e in page.editions if e.isbn13 == "9780007137305"]
    assert len(shared) == 2


def test_editions_page_with_next(shared_fixtures: Path) -> None:
    body = load(shared_fixtures, "works_OL27258W_editions_limit10_neuromancer_2013.json")
    page = parse_editions_page(body)
    assert page.total == 19
    assert not page.complete
    assert next_offset(body) == 10
    languages = {e.language for e in page.editions}
    assert {"da", "es", "de", "fr", "en"} <= languages
    danish = next(e for e in page.editions if e.language == "da")
    assert danish.authors == ("William Gibson",)
    assert danish.isbn13 == "9788790136291"


def test_edition_records(shared_fixtures: Path) -> None:
    sabriel = parse_edition_record(load(shared_fixtures, "books_OL22951843M_sabriel.json"))
    assert sabriel is not None
    assert sabriel.keys == {OL: "OL22951843M"}
    assert sabriel.isbn13 == "9780060273224"
    assert sabriel.work_key == "OL15832982W"
    assert sabriel.language == "en"
    assert sabriel.pages == 491
    assert sabriel.published == "1996"
    assert sabriel.publisher == "Harper Trophy"
    assert sabriel.cover_url is None
    stars = parse_edition_record(
        load(shared_fixtures, "books_OL36884359M_markdown_description.json")
    )
    assert stars is not None
    assert stars.isbn13 == "9781943899159"
    assert stars.format == "Paperback"
    assert stars.pages == 36
    assert stars.authors == ()


def test_api_books_data_shape(shared_fixtures: Path) -> None:
    quignard = parse_api_books(load(shared_fixtures, "api_books_ISBN9782070427796_jscmd_data.json"))
    edition = quignard["ISBN:9782070427796"]
    assert edition.authors == ("Pascal Quignard",)
    assert edition.isbn13 == "9782070427796"
    assert edition.publisher == "Gallimard"
    assert edition.cover_url is None
    assert edition.language is None  # jscmd=data has no language
    zen = parse_api_books(load(shared_fixtures, "api_books_ISBN0385472579_jscmd_data.json"))
    assert zen["ISBN:0385472579"].subtitle == "shouts of nothingness"
    assert zen["ISBN:0385472579"].cover_url == "https://covers.openlibrary.org/b/id/240726-M.jpg"
    horde = parse_api_books(
        load(shared_fixtures, "api_books_ISBN2070464237_jscmd_data_compact_wire.json")
    )
    assert horde["ISBN:2070464237"].pages == 736  # number_of_pages, not pagination "700"
    assert horde["ISBN:2070464237"].isbn13 == "9782070464234"


def test_api_books_details_shape(shared_fixtures: Path) -> None:
    kittler = parse_api_books(load(shared_fixtures, "api_books_ISBN0804720991_jscmd_details.json"))
    edition = kittler["ISBN:0804720991"]
    assert edition.authors == ("Friedrich A. Kittler",)
    assert edition.language == "en"
    assert edition.work_key == "OL882892W"
    assert edition.pages == 459
    assert edition.keys == {OL: "OL20093119M"}
    montaigne = parse_api_books(
        load(shared_fixtures, "api_books_ISBN0140446044_jscmd_details.json")
    )["ISBN:0140446044"]
    assert montaigne.authors == ("Michel de Montaigne",)
    assert montaigne.cover_url == "https://covers.openlibrary.org/b/id/104155-M.jpg"
    empty = load(shared_fixtures, "api_books_invalid_isbn_jscmd_details_empty.json")
    assert parse_api_books(empty) == {}


def _by_key(body: Any) -> dict[str, tuple[SearchHit, WorkSignals]]:
    signals = parse_work_signals(body)
    return {h.keys[OL]: (h, signals[h.keys[OL]]) for h in parse_search(body).hits}


def test_search_internet_archive_keys_are_not_works(shared_fixtures: Path) -> None:
    body = load(shared_fixtures, "search_q_capitalism_and_freedom_2013.json")
    page = parse_search(body)
    assert page.total == 88
    assert len(page.hits) == 85  # three docs are bare scans keyed "ia:…", not OpenLibrary records
    assert not any(key.startswith("ia:") for key in parse_work_signals(body))
    friedman = _by_key(body)["OL2747782W"]
    assert friedman[0].authors == ("Milton Friedman",)
    assert friedman[0].edition_count == 14
    assert friedman[1].languages == ("de", "en")
    planning = [h for h in page.hits if h.title == "Planning for freedom"]
    assert sorted(h.authors for h in planning) == [
        ("Eugene Rostow",),
        ("Eugene V. Rostow",),
        ("Eugene Victor Rostow",),
    ]  # one book, three works under author-name variants: kept apart here


def test_search_lord_of_the_rings_page_one(shared_fixtures: Path) -> None:
    body = load(shared_fixtures, "search_q_the_lord_of_the_rings_page1_2020.json")
    page = parse_search(body)
    assert page.total == 346
    by_key = _by_key(body)
    novel, signals = by_key["OL27448W"]
    assert (novel.title, novel.authors, novel.edition_count) == (
        "The Lord of the Rings",
        ("J. R. R. Tolkien",),
        68,
    )
    assert novel.language is None
    assert {"en", "es", "de"} <= set(signals.languages)
    assert signals.author_keys == ("OL26320A",)
    assert len(novel.isbn13) == MAX_HIT_ISBNS
    assert 0 < len(signals.isbns) <= MAX_SIGNAL_ISBNS
    translations = {"OL16245393W": "de", "OL27494W": "es", "OL27507W": "fr", "OL15367501W": "nl"}
    for key, language in translations.items():
        hit, signals = by_key[key]
        assert (hit.title, hit.authors, hit.language) == (
            "The Lord of the Rings",
            ("J. R. R. Tolkien",),
            language,
        )
        assert signals.languages == (language,)
    dramatisation = [k for k in by_key if k.startswith("OL178711")]
    assert len(dramatisation) == 6
    for key in dramatisation:
        hit, signals = by_key[key]
        assert hit.authors == ("J. R. R. Tolkien", "Brian Sibley")
        assert signals.author_keys == ("OL26320A", "OL475982A")
    assert by_key["OL265321W"][0].authors == ("J. R. R. Tolkien",)  # the boxed set
    assert by_key["OL5753836W"][0].authors == ("Jude Fisher",)  # a companion
    orphans = [k for k in by_key if k.endswith("M")]
    assert "OL7273996M" in orphans  # an edition without a work, keyed as itself
    assert by_key["OL7273996M"][0].authors == ()


def test_search_lord_of_the_rings_page_two(shared_fixtures: Path) -> None:
    body = load(shared_fixtures, "search_q_the_lord_of_the_rings_offset100_2021.json")
    page = parse_search(body)
    assert page.total == 487
    by_key = _by_key(body)
    korean = by_key["OL24170898W"][0]
    assert (korean.title, korean.language) == ("The Lord of the Rings. 1/6", "ko")
    assert by_key["OL23705014W"][0].authors == ("J.R.R. Tolkien",)
    homonym = by_key["OL9466595W"]
    assert homonym[0].authors == ("J R R Tolken",)
    assert homonym[1].author_keys == ("OL3485759A",)  # not Tolkien's OL26320A
    assert by_key["OL10367788W"][0].authors == ("Gene B. Hardy",)  # a study guide
    audio = by_key["OL24149562W"][0]
    assert audio.authors[0] == "J.R.R. Tolkien"
    assert len(audio.authors) == 6
    calendars = [h for h in page.hits if h.keys[OL].endswith("M")]
    assert len(calendars) == 23
    assert all(h.authors == () for h in calendars)


def test_search_narnia(shared_fixtures: Path) -> None:
    body = load(shared_fixtures, "search_q_narnia_2021.json")
    page = parse_search(body)
    assert page.total == 270
    assert len(page.hits) == 100
    by_key = _by_key(body)
    assert by_key["OL260595W"][0].title == "Complete Chronicles of Narnia Boxset"
    assert by_key["OL260595W"][1].author_keys == ("OL31574A",)
    german = [h for h in page.hits if h.title == "Das Wunder von Narnia"]
    assert [(h.authors, h.language) for h in german] == [(("C. S. Lewis", "Ulla Neckenauer"), "de")]
    assert by_key["OL21780841W"][0].authors == ("C. S. Lewis", "Pauline Baynes")
    assert by_key["OL20480676W"][0].authors == ("Pauline Baynes",)  # the trivia book
    ford = [h for h in page.hits if "companion to narnia" in h.title.lower()]
    assert len(ford) >= 2
    assert by_key["OL16594773W"][0].authors == ()  # a companion with no author at all
    assert by_key["OL13152216M"][0].language == "es"


def test_search_harry_potter(shared_fixtures: Path) -> None:
    body = load(shared_fixtures, "search_q_harry_potter_2021.json")
    page = parse_search(body)
    assert page.total == 1428
    assert len(page.hits) == 7
    by_key = _by_key(body)
    stone, signals = by_key["OL82563W"]
    assert stone.title == "Harry Potter and the Philosopher's Stone"
    assert (stone.edition_count, stone.first_publish_year) == (231, 1997)
    assert stone.language is None
    assert len(signals.languages) > 40
    assert len(set(signals.languages)) == len(signals.languages)
    assert len(stone.isbn13) == MAX_HIT_ISBNS
    goblet, goblet_signals = by_key["OL82577W"]
    assert goblet.authors == ("J. K. Rowling",)  # listed twice in the doc
    assert goblet_signals.author_keys == ("OL23919A", "OL9312892A")
    assert all(hit.authors == ("J. K. Rowling",) for hit in page.hits)


def test_search_sisyphus_empty_and_undetermined(shared_fixtures: Path) -> None:
    body = load(shared_fixtures, "search_q_sisyphus_2019.json")
    assert parse_search(body).total == 49
    by_key = _by_key(body)
    for key in ("OL15722011W", "OL15721985W"):
        hit, signals = by_key[key]
        assert (hit.title, hit.authors) == ("Der Mythos von Sisyphus", ("Albert Camus",))
        assert (hit.edition_count, hit.language, signals.languages) == (0, None, ())
    undetermined = by_key["OL13626676W"]
    assert (undetermined[0].language, undetermined[1].languages) == (None, ())
    assert sorted(k for k in by_key if k.endswith("M")) == ["OL11633469M", "OL1194035M"]


def test_search_title_merged_translations(shared_fixtures: Path) -> None:
    body = load(shared_fixtures, "search_title_dr_stone_vol_1.json")
    (hit,) = parse_search(body).hits
    assert hit.keys == {OL: "OL37805541W"}
    assert (hit.title, hit.authors, hit.edition_count) == (
        "Dr. STONE, Vol. 1",
        ("Riichiro Inagaki",),
        5,
    )
    assert hit.language is None
    assert "9781974702619" in hit.isbn13
    signals = parse_work_signals(body)["OL37805541W"]
    assert signals.languages == ("es", "en", "ja")
    assert signals.author_keys == ("OL2993106A",)


def test_new_edition_records(shared_fixtures: Path) -> None:
    gatsby = parse_edition_record(load(shared_fixtures, "books_OL23109860M.json"))
    assert gatsby is not None
    assert gatsby.authors == ("F. Scott Fitzgerald",)  # the cover artist is a contributor
    assert (gatsby.isbn13, gatsby.isbn10) == ("9780743273565", "0743273567")
    assert (gatsby.work_key, gatsby.language, gatsby.pages) == ("OL468431W", "en", 180)
    assert (gatsby.publisher, gatsby.published, gatsby.format) == (
        "Scribner",
        "2004",
        "Trade Paperback",
    )
    fox = parse_edition_record(load(shared_fixtures, "books_OL7353617M.json"))
    assert fox is not None
    assert fox.authors == ()  # no by_statement; the illustrator is a contribution
    assert (fox.isbn13, fox.work_key, fox.published) == (
        "9780140328721",
        "OL45804W",
        "1988-10-01",
    )
    stone = parse_edition_record(load(shared_fixtures, "books_OL26964454M.json"))
    assert stone is not None
    assert stone.authors == ("Riichiro Inagaki",)  # the writer; the artist is not an author
    assert stone.published == "2018-09-04"
    assert (stone.title, stone.subtitle, stone.format) == (
        "Dr. STONE, Vol. 1",
        "Stone World",
        "Manga",
    )
    assert (stone.language, stone.pages, stone.work_key) == ("en", 200, "OL37805541W")


def test_minimal_modern_work_and_author(shared_fixtures: Path) -> None:
    work = parse_work_record(load(shared_fixtures, "works_OL37805541W.json"))
    assert work is not None
    assert (work.key, work.title, work.author_keys) == (
        "OL37805541W",
        "Dr. STONE, Vol. 1",
        ("OL2993106A",),
    )
    assert (work.first_publish_year, work.subjects, work.covers) == (None, (), ())
    assert work.description is not None
    author = parse_author_record(load(shared_fixtures, "authors_OL2993106A.json"))
    assert author is not None
    assert (author.name, author.keys) == ("Riichiro Inagaki", {OL: "OL2993106A"})
    found = parse_author_search(load(shared_fixtures, "search_authors_q_riichiro_inagaki.json"))
    assert [(a.keys[OL], a.work_count) for a in found[:4]] == [
        ("OL2993106A", 213),
        ("OL9146640A", 6),
        ("OL12279470A", 2),
        ("OL13677988A", 0),
    ]
    assert found[1].name == "Riichirô Inagaki"


def test_dump_records_parse(shared_fixtures: Path) -> None:
    works = [
        parse_work_record(r) for r in dump_records(shared_fixtures, "ol_dump_works-tail-n30.txt")
    ]
    assert len(works) == 30
    assert all(w is not None and w.author_keys for w in works)
    editions = [
        parse_edition_record(r)
        for r in dump_records(shared_fixtures, "ol_dump_editions-tail-n20.txt")
    ]
    assert all(e is not None for e in editions)
    assert any(e is not None and e.format == "Paperback" for e in editions)
    dostoyevsky = dump_records(shared_fixtures, "ol_dump_editions-grep-dostoyevsky-n50-head.txt")
    assert sum(parse_edition_record(r) is not None for r in dostoyevsky) == 50
    authors = dump_records(shared_fixtures, "ol_dump_authors-grep-orwell.txt")
    orwell = parse_author_record(authors[0])
    assert orwell is not None
    assert orwell.keys == {OL: "OL118077A"}
    head = dump_records(shared_fixtures, "ol_dump_authors-head-n20.txt")
    assert all(parse_author_record(r) is not None for r in head)


# -- hand-written odd bodies -----------------------------------------------------------------


def test_search_doc_odd_types() -> None:
    doc = {
        "key": "/works/OL1W",
        "title": 1984,
        "author_name": "George Orwell",
        "author_key": "OL118077A",
        "first_publish_year": "1949",
        "edition_count": "12",
        "cover_i": -1,
        "language": "eng",
        "isbn": ["junk", None, "0-452-28423-6", "9780452284234", *[str(i) for i in range(50)]],
    }
    hit = parse_search_doc(doc)
    assert hit is not None
    assert hit.title == "1984"
    assert hit.authors == ("George Orwell",)
    assert hit.first_publish_year == 1949
    assert hit.edition_count == 12
    assert hit.cover_url is None
    assert hit.language == "en"
    assert hit.isbn13 == ("9780452284234",)


def test_search_doc_without_key_or_title_is_skipped() -> None:
    assert parse_search_doc({"title": "No key"}) is None
    assert parse_search_doc({"key": "ia:scan00auth", "title": "A scan"}) is None
    assert parse_work_signals({"docs": [{"key": "ia:scan00auth", "title": "A scan"}]}) == {}
    assert parse_search_doc({"key": "/works/OL1W"}) is None
    assert parse_search_doc(["not", "a", "doc"]) is None
    page = parse_search({"numFound": "3", "docs": [{"title": "x"}, "junk", None]})
    assert page.total == 3
    assert page.hits == ()


def test_search_hit_isbns_are_capped() -> None:
    valid = [f"978000000{n:03d}" + ean.calc_check_digit(f"978000000{n:03d}") for n in range(1000)]
    hit = parse_search_doc({"key": "/works/OL1W", "title": "T", "isbn": valid})
    assert hit is not None
    assert hit.isbn13 == tuple(valid[:MAX_HIT_ISBNS])


@pytest.mark.parametrize("body", [None, [], "text", 42, {"docs": "x"}, {"entries": {"a": 1}}])
def test_parsers_tolerate_junk_bodies(body: Any) -> None:
    assert parse_search(body).hits == ()
    assert parse_author_search(body) == []
    assert parse_works_page(body).works == ()
    assert parse_editions_page(body).editions == ()
    assert parse_api_books(body) == {}
    assert parse_work_signals(body) == {}
    assert parse_work_record(body) is None
    assert parse_edition_record(body) is None
    assert parse_author_record(body) is None


def test_edition_odd_types() -> None:
    record = {
        "key": "/books/OL5M",
        "title": "  The   Title ",
        "publishers": [{"name": "Penguin"}],
        "number_of_pages": "369 p.",
        "languages": ["/languages/fre"],
        "isbn_13": "978-0-14-044604-3",
        "covers": [None, -1, 7],
        "works": [{"key": None}, {"key": "/works/OL9W"}],
        "physical_format": "",
        "authors": [{"key": "/authors/OL1A"}],
        "by_statement": "translated by Someone.",
        "publish_date": "Spring 1999",
    }
    edition = parse_edition_record(record)
    assert edition is not None
    assert edition.title == "The Title"
    assert edition.publisher == "Penguin"
    assert edition.pages == 369
    assert edition.language == "fr"
    assert (edition.isbn13, edition.isbn10) == ("9780140446043", "0140446044")
    assert edition.cover_url == "https://covers.openlibrary.org/b/id/7-M.jpg"
    assert edition.work_key == "OL9W"
    assert edition.format is None
    assert edition.authors == ()
    assert edition.published == "Spring 1999"


def test_edition_pages_from_pagination_and_979_isbn() -> None:
    edition = parse_edition_record(
        {"title": "T", "pagination": "xxxiii, 459 p. :", "isbn_13": ["9798886450019"]}
    )
    assert edition is not None
    assert edition.pages == 459
    assert (edition.isbn13, edition.isbn10) == ("9798886450019", None)
    assert edition.keys == {}


def test_redirect_and_delete_records() -> None:
    redirect = parse_work_record(
        {"key": "/works/OL1W", "type": {"key": "/type/redirect"}, "location": "/works/OL2W"}
    )
    assert redirect is not None
    assert (redirect.type, redirect.redirect_to, redirect.title) == ("redirect", "OL2W", None)
    deleted = parse_work_record({"key": "/works/OL3W", "type": {"key": "/type/delete"}})
    assert deleted is not None
    assert deleted.type == "delete"
    assert parse_author_record({"key": "/authors/OL1A", "type": {"key": "/type/redirect"}}) is None
    assert (
        parse_edition_record({"key": "/books/OL1M", "title": "T", "type": "/type/delete"}) is None
    )


def test_work_authors_in_dump_form_with_roles() -> None:
    work = parse_work_record(
        {
            "key": "/works/OL1W",
            "title": "T",
            "authors": [
                {"type": "/type/author_role", "author": {"key": "/authors/OL1A"}},
                {
                    "type": {"key": "/type/author_role"},
                    "author": "/authors/OL2A",
                    "role": "Foreword",
                },
                {"type": {"key": "/type/author_role"}, "author": {"key": "/authors/OL1A"}},
                {"author": {}},
            ],
            "first_publish_date": "March 3, 1962",
            "covers": "12",
        }
    )
    assert work is not None
    assert work.author_keys == ("OL1A", "OL2A")
    assert dict(work.roles) == {"OL2A": "Foreword"}
    assert work.first_publish_year == 1962
    assert work.covers == (12,)


def test_work_signals() -> None:
    body = {
        "numFound": 2,
        "docs": [
            {
                "key": "/works/OL1W",
                "title": "One",
                "language": ["eng", "fre", "xxx", "eng"],
                "edition_count": 3,
                "first_publish_year": 1990,
                "isbn": ["0140446044", "9780140446043", "9780452284234"],
                "author_key": ["OL1A"],
                "author_name": ["A"],
            },
            {"key": "/works/OL2W"},
        ],
    }
    signals = parse_work_signals(body, max_isbns=1)
    assert signals["OL1W"] == WorkSignals(
        key="OL1W",
        title="One",
        languages=("en", "fr"),
        edition_count=3,
        first_publish_year=1990,
        isbns=("9780140446043",),
        author_keys=("OL1A",),
        authors=("A",),
    )
    assert signals["OL2W"].languages == ()


def test_work_record_to_work_and_signals() -> None:
    record = WorkRecord(key="OL1W", title="T", author_keys=("OL1A",), covers=(5,))
    merged = record.with_signals(
        WorkSignals(
            key="OL1W",
            languages=("en",),
            edition_count=4,
            first_publish_year=2001,
            isbns=("9780140446043",),
        )
    )
    assert merged.languages == ("en",)
    assert merged.edition_count == 4
    assert merged.first_publish_year == 2001
    assert record.with_signals(None) is record
    work = merged.to_work(authors=["Ann Author"])
    assert work.keys == {OL: "OL1W"}
    assert work.sources == (OL,)
    assert work.authors == ("Ann Author",)
    assert work.author_keys == ("OL1A",)
    assert work.edition_count == 4
    assert WorkRecord(key="OL2W").to_work().title == "OL2W"


def test_author_doc_keys_stay_bare() -> None:
    author = parse_author_doc({"key": "/authors/OL5A", "name": "N", "work_count": "7"})
    assert author is not None
    assert author.keys == {OL: "OL5A"}
    assert author.work_count == 7
    assert parse_author_doc({"key": "OL5A"}) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1996", "1996"),
        ("November 2006", "2006-11"),
        ("Nov. 2006", "2006-11"),
        ("April 22, 2008", "2008-04-22"),
        ("22 April 2008", "2008-04-22"),
        ("September 2nd, 2002", "2002-09-02"),
        ("2011-09", "2011-09"),
        ("2011-09-05", "2011-09-05"),
        ("2018-Sep-04", "2018-09-04"),
        ("2018-sept-4", "2018-09-04"),
        ("2018-Sep", "2018-09"),
        ("2018-Smarch-04", "2018-Smarch-04"),
        ("c1995", "1995"),
        ("[1995]", "1995"),
        ("1995.", "1995"),
        ("Spring 1999", "Spring 1999"),
        ("19--", "19--"),
        ("2011-13", "2011-13"),
        ("Smarch 3, 2001", "Smarch 3, 2001"),
        ("", None),
        (None, None),
        (2001, "2001"),
    ],
)
def test_parse_publish_date(text: Any, expected: str | None) -> None:
    assert parse_publish_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Garth Nix.", ("Garth Nix",)),
        ("William Gibson ; translated by Someone.", ("William Gibson",)),
        ("Amal El-Mohtar and Max Gladstone", ("Amal El-Mohtar", "Max Gladstone")),
        (
            "story, Riichiro Inagaki ; art, Boichi ; translation, Caleb Cook",
            ("Riichiro Inagaki",),
        ),
        ("story and art, Hiromu Arakawa", ("Hiromu Arakawa",)),
        ("art, Boichi ; story, Riichiro Inagaki", ()),
        ("Inagaki, Riichiro", ("Inagaki, Riichiro",)),
        ("translated and edited with an introduction by M.A. Screech.", ()),
        ("edited by Jane Doe", ()),
        ("[by] John Smith", ()),
        ("1st ed.", ()),
        ("", ()),
        (None, ()),
    ],
)
def test_authors_from_by_statement(text: Any, expected: tuple[str, ...]) -> None:
    assert authors_from_by_statement(text) == expected


def test_cover_url() -> None:
    base = "https://covers.openlibrary.org/b"
    assert cover_url(cover_id=123) == f"{base}/id/123-M.jpg?default=false"
    assert cover_url(cover_id=123, size="l", default=True) == f"{base}/id/123-L.jpg"
    assert cover_url(cover_id=0) is None
    assert cover_url(cover_id=-1) is None
    assert (
        cover_url(isbn="0-14-044604-4", size="S")
        == f"{base}/isbn/9780140446043-S.jpg?default=false"
    )
    assert cover_url(isbn="not an isbn") is None
    assert cover_url(olid="/books/ol5m", default=True) == f"{base}/olid/OL5M-M.jpg"
    assert cover_url(olid="../x") is None
    assert cover_url() is None
    assert cover_url(cover_id=1, isbn="0140446044", default=True) == f"{base}/id/1-M.jpg"
    with pytest.raises(InvalidQuery):
        cover_url(cover_id=1, size="XL")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("OL123A", "OL123A"),
        ("ol123a", "OL123A"),
        ("/authors/OL123A", "OL123A"),
        ("https://openlibrary.org/authors/OL123A/Roald_Dahl", "OL123A"),
        ("/works/OL9W.json", "OL9W"),
        (" OL1M ", "OL1M"),
        ("a/../b?x#y", "a/../b?x#y"),
    ],
)
def test_bare_key(value: str, expected: str) -> None:
    assert bare_key(value) == expected


def test_bare_key_refuses_blank() -> None:
    with pytest.raises(InvalidQuery):
        bare_key("  ")


@pytest.mark.parametrize(
    ("ua", "identifies"),
    [
        ("bookstracker/0.1 (+https://example.org)", True),
        ("MyApp/1.0 (ops@example.org)", True),
        ("MyApp/1.0", False),
        ("curl/8.0", False),
        ("ExampleBot/2.0", True),
    ],
)
def test_user_agent_identifies(ua: str, identifies: bool) -> None:
    assert user_agent_identifies(ua) is identifies


def test_next_offset_without_offset_param() -> None:
    assert next_offset({"links": {"next": "/authors/OL1A/works.json?limit=5"}}) == -1
    assert next_offset({"links": {"self": "/x"}}) is None
    assert next_offset({"links": {"next": "/x?offset=abc&offset=20"}}) == 20


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "key",
                    "title",
                    "docs",
                    "entries",
                    "details",
                    "authors",
                    "isbn",
                    "isbn_13",
                    "isbn_10",
                    "languages",
                    "language",
                    "covers",
                    "type",
                    "publishers",
                    "works",
                    "size",
                    "links",
                    "numFound",
                    "name",
                    "by_statement",
                    "publish_date",
                    "description",
                    "author",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(_json)
def test_parsers_never_raise_on_any_json(body: Any) -> None:
    parse_search(body)
    parse_author_search(body)
    parse_works_page(body)
    parse_editions_page(body)
    parse_api_books(body)
    parse_work_signals(body)
    parse_work_record(body)
    parse_edition_record(body)
    parse_author_record(body)
    next_offset(body)


_ISBN13S = st.from_regex(r"97[89][0-9]{10}", fullmatch=True)


@st.composite
def _isbn_lists(draw: st.DrawFn) -> list[str]:
    """ISBN-13s, their ISBN-10 forms (valid or with a wrong check digit), in any order."""
    values: list[str] = []
    for isbn13 in draw(st.lists(_ISBN13S, max_size=8)):
        valid13 = isbn13[:12] + str(ean.calc_check_digit(isbn13[:12]))
        values.append(draw(st.sampled_from([isbn13, valid13])))
        core = valid13[3:12]
        check = str(-sum((10 - i) * int(d) for i, d in enumerate(core)) % 11).replace("10", "X")
        values.append(draw(st.sampled_from([core + check, core + "7", valid13[:3] + core])))
    return draw(st.permutations(values))


@given(_isbn_lists(), st.integers(min_value=1, max_value=6))
def test_signal_isbns_are_every_valid_isbn_as_isbn13_in_order(values: list[str], cap: int) -> None:
    expected = list(dict.fromkeys(normalize_isbn(v) for v in values if is_valid_isbn(v)))[:cap]
    body = {"docs": [{"key": "/works/OL1W", "isbn": values}]}
    assert list(parse_work_signals(body, max_isbns=cap)["OL1W"].isbns) == expected
