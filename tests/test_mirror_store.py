"""The store contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bookstracker.mirror import ImportState, MirrorStore, parse_line
from bookstracker.mirror.records import DumpRecord
from bookstracker.names import name_key
from mirror_support import line, open_backend


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MirrorStore]:
    yield from open_backend(request.param, tmp_path)


def records(*lines: bytes) -> list[DumpRecord]:
    out = []
    for raw in lines:
        parsed = parse_line(raw)
        assert isinstance(parsed, DumpRecord)
        out.append(parsed)
    return out


def state(source: str = "dump.txt", lines: int = 0) -> ImportState:
    return ImportState(source=source, fingerprint="f", lines=lines, started="s", updated="u")


AUTHOR = line(
    "author",
    "/authors/OL1A",
    3,
    name="Ursula K. Le Guin",
    alternate_names=["Ursula Kroeber Le Guin", "Le Guin, Ursula K."],
)
HOMONYM = line("author", "/authors/OL9A", 1, name="Ursula Le Guin")
WORK = line(
    "work",
    "/works/OL10W",
    2,
    title="The Left Hand of Darkness",
    authors=[{"type": {"key": "/type/author_role"}, "author": {"key": "/authors/OL1A"}}],
    first_publish_date="1969",
)
WORK2 = line(
    "work",
    "/works/OL11W",
    1,
    title="A Wizard of Earthsea",
    authors=[{"author": {"key": "/authors/OL1A"}}],
)
EDITION = line(
    "edition",
    "/books/OL100M",
    4,
    title="The Left Hand of Darkness",
    works=[{"key": "/works/OL10W"}],
    isbn_10=["0-441-47812-3"],
    isbn_13=["9780441478125"],
    languages=[{"key": "/languages/eng"}],
    publish_date="March 1969",
)
EDITION2 = line(
    "edition",
    "/books/OL101M",
    1,
    title="La main gauche de la nuit",
    works=[{"key": "/works/OL10W"}],
    isbn_13=["9782253072379"],
    languages=[{"key": "/languages/fre"}],
    publish_date="1992",
)


def load(store: MirrorStore, *lines: bytes) -> int:
    return store.apply(records(*lines), state())


def test_records_are_found_by_key_with_raw_json(store: MirrorStore) -> None:
    assert load(store, AUTHOR, WORK, EDITION) == 3
    found = store.records(["OL1A", "OL10W", "OL100M", "OL404W"])
    assert set(found) == {"OL1A", "OL10W", "OL100M"}
    assert found["OL1A"].kind == "author"
    assert found["OL1A"].revision == 3
    assert found["OL10W"].json()["title"] == "The Left Hand of Darkness"


def test_authors_by_name_and_alternate_name(store: MirrorStore) -> None:
    load(store, AUTHOR, HOMONYM)
    assert [r.key for r in store.authors_named(name_key("Ursula K. Le Guin"), 10)] == ["OL1A"]
    assert [r.key for r in store.authors_named(name_key("Ursula Kroeber Le Guin"), 10)] == ["OL1A"]
    assert store.authors_named(name_key("Nobody Here"), 10) == []


def test_full_text_search_over_names_and_titles(store: MirrorStore) -> None:
    load(store, AUTHOR, HOMONYM, WORK, WORK2)
    assert {r.key for r in store.search_authors("ursula guin", 10)} == {"OL1A", "OL9A"}
    assert [r.key for r in store.search_authors("kroeber", 10)] == ["OL1A"]
    assert [r.key for r in store.search_works("earthsea wizard", 10)] == ["OL11W"]
    assert store.search_works("darkness OR earthsea", 10) == []  # words, never operators
    assert store.search_works("   ", 10) == []


def test_works_of_an_author_in_dump_order_with_counts(store: MirrorStore) -> None:
    load(store, AUTHOR, WORK, WORK2)
    assert [r.key for r in store.works_of("OL1A", 100)] == ["OL10W", "OL11W"]
    assert [r.key for r in store.works_of("OL1A", 1)] == ["OL10W"]
    assert store.work_counts(["OL1A", "OL9A"]) == {"OL1A": 2, "OL9A": 0}


def test_editions_by_work_and_by_isbn(store: MirrorStore) -> None:
    load(store, WORK, EDITION, EDITION2)
    summaries = store.edition_summaries(["OL10W"])
    assert [(s.edition_key, s.languages, s.isbn13s, s.year) for s in summaries] == [
        ("OL100M", ("eng",), ("9780441478125",), 1969),
        ("OL101M", ("fre",), ("9782253072379",), 1992),
    ]
    assert [r.key for r in store.editions_of(["OL10W"], 10)] == ["OL100M", "OL101M"]
    assert [r.key for r in store.editions_of(["OL10W"], 1)] == ["OL100M"]
    found = store.editions_by_isbn(["9780441478125", "9782253072379", "9780000000002"])
    assert {i: r.key for i, r in found.items()} == {
        "9780441478125": "OL100M",
        "9782253072379": "OL101M",
    }


def test_a_shared_isbn_answers_with_the_first_edition(store: MirrorStore) -> None:
    twin = line("edition", "/books/OL102M", 1, title="Twin", isbn_13=["9780441478125"])
    load(store, EDITION, twin)
    assert store.editions_by_isbn(["9780441478125"])["9780441478125"].key == "OL100M"


def test_only_a_newer_revision_replaces_a_record(store: MirrorStore) -> None:
    load(store, WORK)
    older = line("work", "/works/OL10W", 1, title="Old title", authors=[])
    same = line("work", "/works/OL10W", 2, title="Same revision", authors=[])
    assert load(store, older, same) == 0
    assert store.records(["OL10W"])["OL10W"].json()["title"] == "The Left Hand of Darkness"
    newer = line(
        "work",
        "/works/OL10W",
        5,
        title="Left Hand",
        authors=[{"author": {"key": "/authors/OL2A"}}],
    )
    assert load(store, newer) == 1
    assert store.records(["OL10W"])["OL10W"].revision == 5
    assert store.works_of("OL1A", 10) == []  # the old author index entry went
    assert [r.key for r in store.works_of("OL2A", 10)] == ["OL10W"]
    assert store.search_works("darkness", 10) == []
    assert [r.key for r in store.search_works("left hand", 10)] == ["OL10W"]
    assert store.status().counts["work"] == 1


def test_redirects_and_deletes_replace_records_and_their_index_entries(
    store: MirrorStore,
) -> None:
    load(store, AUTHOR, WORK, EDITION)
    moved = line("redirect", "/works/OL10W", 3, location="/works/OL11W")
    gone = line("delete", "/books/OL100M", 5)
    assert load(store, moved, gone) == 2
    found = store.records(["OL10W", "OL100M"])
    assert found["OL10W"].kind == "redirect"
    assert found["OL100M"].kind == "delete"
    assert store.works_of("OL1A", 10) == []
    assert store.editions_by_isbn(["9780441478125"]) == {}
    assert store.edition_summaries(["OL10W"]) == []
    counts = store.status().counts
    assert (counts["work"], counts["edition"], counts["redirect"], counts["delete"]) == (
        0,
        0,
        1,
        1,
    )
    stale = line("work", "/works/OL10W", 2, title="Back from an old dump", authors=[])
    assert load(store, stale) == 0
    assert store.records(["OL10W"])["OL10W"].kind == "redirect"


def test_the_newest_duplicate_within_a_batch_wins(store: MirrorStore) -> None:
    first = line("work", "/works/OL10W", 7, title="Seven", authors=[])
    second = line("work", "/works/OL10W", 6, title="Six", authors=[])
    assert load(store, first, second) == 1
    assert store.records(["OL10W"])["OL10W"].revision == 7


def test_import_state_is_saved_with_each_batch(store: MirrorStore) -> None:
    assert store.import_state("dump.txt") is None
    store.apply(records(AUTHOR), state(lines=1))
    saved = store.import_state("dump.txt")
    assert saved is not None
    assert (saved.lines, saved.applied, saved.complete) == (1, 1, False)
    done = ImportState(
        source="dump.txt",
        fingerprint="f",
        lines=9,
        bad=2,
        bad_samples=((3, "bad JSON"),),
        complete=True,
        started="s",
        updated="u",
        dump_date="2024-01-31",
        kind="authors",
    )
    store.save_state(done)
    assert store.import_state("dump.txt") == done
    status = store.status()
    assert status.dump_dates == ("2024-01-31",)
    assert status.bytes_on_disk > 0
    assert status.to_dict()["imports"][0]["bad_lines"] == [{"line": 3, "reason": "bad JSON"}]


def test_status_location_never_shows_a_password(tmp_path: Path) -> None:
    from bookstracker.mirror.postgres import split_url

    connect, schema, shown = split_url("postgresql://me:s3cret@db.example:5433/books?schema=m1")
    assert schema == "m1"
    assert "s3cret" not in shown
    assert "schema" not in connect
    assert shown == "postgresql://me@db.example:5433/books (schema m1)"
