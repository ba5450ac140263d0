"""Merging hits across providers and the explainable ranking."""

from __future__ import annotations

from bookstracker.models import SearchHit
from bookstracker.pipeline.merge import merge_hits, rank_hits


def hit(provider: str, title: str, **kwargs: object) -> SearchHit:
    kwargs.setdefault("authors", ("Andy Weir",))
    kwargs.setdefault("sources", (provider,))
    return SearchHit(title=title, **kwargs)  # type: ignore[arg-type]


def test_same_isbn_from_three_providers_is_one_hit_naming_all() -> None:
    merged = merge_hits(
        {
            "openlibrary": [
                hit(
                    "openlibrary",
                    "The Martian",
                    keys={"openlibrary": "OL1W"},
                    isbn13=("9780553418026",),
                    first_publish_year=2011,
                )
            ],
            "googlebooks": [
                hit(
                    "googlebooks",
                    "The Martian: A Novel",
                    keys={"googlebooks": "g1"},
                    isbn13=("9780553418026",),
                    first_publish_year=2014,
                )
            ],
            "isbndb": [hit("isbndb", "Martian", isbn13=("9780553418026",))],
        }
    )
    assert len(merged) == 1
    (one,) = merged
    assert one.sources == ("openlibrary", "googlebooks", "isbndb")
    assert one.first_publish_year == 2011
    assert one.keys == {"openlibrary": "OL1W", "googlebooks": "g1"}


def test_title_and_author_group_when_no_isbn_is_shared() -> None:
    merged = merge_hits(
        {
            "openlibrary": [hit("openlibrary", "Artemis", keys={"openlibrary": "OL2W"})],
            "googlebooks": [hit("googlebooks", "ARTEMIS", isbn13=("9780553448122",))],
        }
    )
    assert len(merged) == 1


def test_different_authors_same_title_stay_apart() -> None:
    merged = merge_hits(
        {
            "openlibrary": [hit("openlibrary", "Artemis", authors=("Andy Weir",))],
            "googlebooks": [hit("googlebooks", "Artemis", authors=("Someone Else",))],
        }
    )
    assert len(merged) == 2


def test_ranking_explains_itself_and_companions_follow_their_book() -> None:
    hits = [
        hit(
            "openlibrary",
            "Summary of The Martian",
            authors=("Summaries Inc",),
            sources=("openlibrary", "googlebooks"),
        ),
        hit("openlibrary", "The Martian", edition_count=80),
    ]
    ranked = rank_hits(hits, query="the martian", providers_answered=2)
    assert [h.title for h in ranked] == ["The Martian", "Summary of The Martian"]
    for h in ranked:
        assert abs(sum(h.score_parts.values()) - h.score) < 1e-3
    assert ranked[1].score_parts["companion_penalty"] < 0


def test_criticism_is_a_companion_too() -> None:
    hits = [
        hit(
            "openlibrary",
            "J. R. R. Tolkien's Lord of the Rings (Modern Critical Interpretations)",
            authors=("J. R. R. Tolkien",),
        ),
        hit(
            "openlibrary", "The Lord of the Rings", authors=("J. R. R. Tolkien",), edition_count=120
        ),
    ]
    ranked = rank_hits(hits, query="lord of the rings tolkien")
    assert ranked[0].title == "The Lord of the Rings"
    assert "companion_penalty" in ranked[1].score_parts
