"""Results in notebooks and terminals: short reprs, HTML and rich tables, records, pandas."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console

from bookstracker import (
    Author,
    Bibliography,
    BooksClient,
    Completeness,
    Edition,
    Exclusion,
    SearchResult,
    Work,
)
from bookstracker.metrics import Stats
from bookstracker.models import IsbnResults


@pytest.fixture(scope="module")
def answers() -> Iterator[dict[str, Any]]:
    with BooksClient(offline=True, cache=None) as books:
        yield {
            "bib": books.author("Andy Weir"),
            "search": books.search("the martian", limit=5),
            "isbns": books.isbns(["0553418025", "978-0-7475-3269-9", "9780000000002", "nope"]),
            "stats": books.stats(),
        }


def rich_text(value: object, width: int = 120) -> str:
    console = Console(record=True, width=width, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(value)
    console.file.close()
    return console.export_text()


# -- short reprs ---------------------------------------------------------------------------------


def test_a_bibliography_repr_is_one_short_line(answers: dict[str, Any]) -> None:
    text = repr(answers["bib"])
    assert len(text) < 160, text
    assert "\n" not in text
    assert "'Andy Weir'" in text
    assert "OL7234434A" in text
    assert "7 works" in text
    assert "excluded" in text


@pytest.mark.parametrize("name", ["search", "isbns", "stats"])
def test_other_results_have_short_reprs(answers: dict[str, Any], name: str) -> None:
    text = repr(answers[name])
    assert len(text) < 200, text
    assert "\n" not in text


def test_works_editions_and_completeness_have_short_reprs(answers: dict[str, Any]) -> None:
    bib: Bibliography = answers["bib"]
    martian = next(w for w in bib.works if w.title == "The Martian")
    assert len(repr(martian)) < 160
    assert "The Martian" in repr(martian)
    assert "13 editions" in repr(martian)
    edition = next(e for e in martian.editions if e.isbn13 == "9780553418026")
    assert "9780553418026" in repr(edition)
    assert "Crown" in repr(edition)
    assert bib.completeness is not None
    assert "0.9" in repr(bib.completeness) or "1.0" in repr(bib.completeness)


# -- HTML for notebooks --------------------------------------------------------------------------


def test_a_bibliography_renders_as_an_html_table_with_exclusions_and_parts(
    answers: dict[str, Any],
) -> None:
    bib: Bibliography = answers["bib"]
    html = bib._repr_html_()
    assert html.count("<table") >= 3
    for work in bib.works:
        assert work.title in html
    for item in bib.excluded:
        assert f"<td>{item.reason}</td>" in html
    assert "editions only in de; the author writes in en" in html
    assert bib.completeness is not None
    for part in bib.completeness.evidence["parts"]:
        assert part in html


def test_html_escapes_what_the_providers_sent() -> None:
    bib = Bibliography(
        author=Author(name="<b>Evil</b> & Co", keys={"openlibrary": "OL1A"}),
        works=[Work(title="<script>alert(1)</script>", keys={"openlibrary": "OL1W"})],
        excluded=[Exclusion(title="x<y", key=None, reason="duplicate", detail='"quoted"')],
    )
    html = bib._repr_html_()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b&gt;Evil&lt;/b&gt; &amp; Co" in html
    assert "x&lt;y" in html


def test_search_isbn_and_stats_results_render_as_html(answers: dict[str, Any]) -> None:
    search: SearchResult = answers["search"]
    assert all(h.title.replace("'", "&#x27;") in search._repr_html_() for h in search.hits)
    isbns: IsbnResults = answers["isbns"]
    html = isbns._repr_html_()
    assert "The Martian" in html
    assert "not found" in html
    assert "nope" in html  # the invalid one is named
    stats: Stats = answers["stats"]
    assert "openlibrary" in stats._repr_html_()
    assert "<table" in stats._repr_html_()
    edition = answers["isbns"].results["0553418025"]
    assert "Crown" in edition._repr_html_()


# -- rich, for terminals -------------------------------------------------------------------------


def test_a_bibliography_prints_as_rich_tables(answers: dict[str, Any]) -> None:
    bib: Bibliography = answers["bib"]
    text = rich_text(bib)
    assert "Project Hail Mary" in text
    assert "Excluded" in text
    assert "translation" in text
    assert "works_listed" in text


@pytest.mark.parametrize("name", ["search", "isbns", "stats"])
def test_other_results_print_as_rich_tables(answers: dict[str, Any], name: str) -> None:
    text = rich_text(answers[name])
    assert "openlibrary" in text or "The Martian" in text


# -- records and pandas --------------------------------------------------------------------------


def test_a_bibliography_gives_one_record_per_work(answers: dict[str, Any]) -> None:
    bib: Bibliography = answers["bib"]
    records = bib.to_records()
    assert [r["title"] for r in records] == [w.title for w in bib.works]
    martian = next(r for r in records if r["title"] == "The Martian")
    assert martian["first_publish_year"] == 2011
    assert martian["openlibrary_key"] == "OL17091839W"
    assert martian["editions"] == 13
    assert all(not isinstance(v, (list, dict, tuple)) for r in records for v in r.values())


def test_a_bibliography_gives_edition_and_exclusion_records(answers: dict[str, Any]) -> None:
    bib: Bibliography = answers["bib"]
    editions = bib.to_records("editions")
    assert len(editions) == sum(len(w.editions) for w in bib.works)
    assert {"work", "isbn13", "publisher", "language"} <= set(editions[0])
    excluded = bib.to_records("excluded")
    assert [(r["title"], r["reason"]) for r in excluded] == [
        (e.title, e.reason) for e in bib.excluded
    ]
    with pytest.raises(ValueError, match="works, editions or excluded"):
        bib.to_records("authors")


def test_search_and_isbn_results_give_records(answers: dict[str, Any]) -> None:
    search: SearchResult = answers["search"]
    assert [r["title"] for r in search.to_records()] == [h.title for h in search.hits]
    isbns: IsbnResults = answers["isbns"]
    records = isbns.to_records()
    assert [r["isbn"] for r in records] == ["0553418025", "978-0-7475-3269-9", "9780000000002"]
    assert records[0]["title"] == "The Martian"
    assert records[2]["found"] is False
    stats: Stats = answers["stats"]
    assert {r["provider"] for r in stats.to_records()} >= {"openlibrary", "googlebooks"}


def test_to_pandas_without_pandas_says_how_to_install_it(
    answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"pip install 'bookstracker\[pandas\]'"):
        answers["bib"].to_pandas()


def test_to_pandas_gives_a_data_frame_of_the_records(answers: dict[str, Any]) -> None:
    pd = pytest.importorskip("pandas")
    bib: Bibliography = answers["bib"]
    frame = bib.to_pandas()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["title"]) == [w.title for w in bib.works]
    assert len(bib.to_pandas("editions")) == sum(len(w.editions) for w in bib.works)
    assert len(answers["search"].to_pandas()) == len(answers["search"].hits)


def test_completeness_shows_its_parts() -> None:
    completeness = Completeness(
        author="X", score=0.5, complete=False, expected=4, found=2, evidence={"parts": {"a": 0.5}}
    )
    assert "<td>a</td>" in completeness._repr_html_()
    assert "a" in rich_text(completeness)
    assert len(repr(completeness)) < 120
    edition = Edition(title="T", isbn13="9780000000002")
    assert repr(edition).startswith("<Edition")
