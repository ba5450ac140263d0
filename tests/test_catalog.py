"""The Catalog API: lookups, validation, merging, the JSON round trip and synthetic catalogs."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from stdnum import isbn as stdnum_isbn

from bookstracker.testing.catalog import (
    ALL_PROVIDERS,
    Catalog,
    CatalogAuthor,
    CatalogEdition,
    CatalogWork,
    dump_catalog,
)

AUTHOR = CatalogAuthor(id="OL1A", name="Ann Author", alternate_names=("Author, Ann",))
EDITOR = CatalogAuthor(id="OL2A", name="Ed Editor")
PEN_NAME = CatalogAuthor(id="OL3A", name="Pen Name", pseudonym_of="OL1A")

FIRST = CatalogEdition(
    id="OL10M",
    title="First Book",
    isbn13="9780553418026",
    isbn10="0553418025",
    language="en",
    google_id="abcdefghijkl",
)
FIRST_PAPERBACK = CatalogEdition(id="OL11M", title="First Book", isbn10="059035342X")
ANTHOLOGY_EDITION = CatalogEdition(
    id="OL20M", title="Anthology", isbn13="9798000000243", providers=frozenset({"isbndb"})
)
DUPLICATE_EDITION = CatalogEdition(id="OL30M", title="First book", isbn13="9780553418026")

FIRST_WORK = CatalogWork(
    id="OL100W", title="First Book", author_ids=("OL1A",), editions=(FIRST, FIRST_PAPERBACK)
)
ANTHOLOGY = CatalogWork(
    id="OL200W",
    title="Anthology",
    author_ids=("OL2A", "OL1A"),
    roles={"OL1A": "Foreword"},
    editions=(ANTHOLOGY_EDITION,),
    truth="not-by-author",
)
DUPLICATE = CatalogWork(
    id="OL300W",
    title="First book",
    author_ids=("OL1A",),
    editions=(DUPLICATE_EDITION,),
    truth="duplicate",
    truth_of="OL100W",
)
PEN_WORK = CatalogWork(id="OL400W", title="Pen Book", author_ids=("OL3A",))
SAME_GOOGLE_ID = attrs.evolve(
    DUPLICATE,
    truth_of=None,
    editions=(attrs.evolve(DUPLICATE_EDITION, google_id=FIRST.google_id),),
)


TRUTHS = ("core", "translation", "collection", "companion", "duplicate", "not-by-author")


@pytest.fixture
def catalog() -> Catalog:
    return Catalog([AUTHOR, EDITOR, PEN_NAME], [FIRST_WORK, ANTHOLOGY, DUPLICATE, PEN_WORK])


def test_author_and_work_lookups(catalog: Catalog) -> None:
    assert catalog.author("OL1A") == AUTHOR
    assert catalog.author("OL999A") is None
    assert catalog.work("OL200W") == ANTHOLOGY
    assert catalog.work("OL999W") is None


def test_works_of_lists_every_role_in_catalog_order(catalog: Catalog) -> None:
    assert [work.id for work in catalog.works_of("OL1A")] == ["OL100W", "OL200W", "OL300W"]
    assert catalog.works_of("OL2A") == (ANTHOLOGY,)
    assert catalog.works_of("OL999A") == ()


def test_edition_and_its_work(catalog: Catalog) -> None:
    assert catalog.edition("OL20M") == ANTHOLOGY_EDITION
    assert catalog.work_of_edition("OL20M") == ANTHOLOGY
    assert catalog.edition("OL999M") is None
    assert catalog.work_of_edition("OL999M") is None


def test_editions_by_isbn13_and_isbn10(catalog: Catalog) -> None:
    assert catalog.editions_by_isbn("9798000000243") == (ANTHOLOGY_EDITION,)
    assert FIRST in catalog.editions_by_isbn("0553418025")


def test_edition_with_only_an_isbn10_is_found_by_either_form(catalog: Catalog) -> None:
    assert catalog.editions_by_isbn("059035342X") == (FIRST_PAPERBACK,)
    assert catalog.editions_by_isbn("059035342x") == (FIRST_PAPERBACK,)
    assert catalog.editions_by_isbn("9780590353427") == (FIRST_PAPERBACK,)


def test_one_isbn_on_two_editions_returns_both(catalog: Catalog) -> None:
    assert catalog.editions_by_isbn("9780553418026") == (FIRST, DUPLICATE_EDITION)
    assert catalog.editions_by_isbn("0553418025") == (FIRST, DUPLICATE_EDITION)


@pytest.mark.parametrize("value", ["", "junk", "9780000000000", "0553418026", "97805534180"])
def test_unknown_or_malformed_isbn_finds_nothing(catalog: Catalog, value: str) -> None:
    assert catalog.editions_by_isbn(value) == ()


def test_edition_by_google_id(catalog: Catalog) -> None:
    assert catalog.edition_by_google_id("abcdefghijkl") == FIRST
    assert catalog.edition_by_google_id("zzzzzzzzzzzz") is None


def test_author_names_in_work_order(catalog: Catalog) -> None:
    assert catalog.author_names(ANTHOLOGY) == ("Ed Editor", "Ann Author")


def test_editions_iterates_work_and_edition_pairs(catalog: Catalog) -> None:
    assert list(catalog.editions()) == [
        (FIRST_WORK, FIRST),
        (FIRST_WORK, FIRST_PAPERBACK),
        (ANTHOLOGY, ANTHOLOGY_EDITION),
        (DUPLICATE, DUPLICATE_EDITION),
    ]


def test_records_are_immutable_and_hashable() -> None:
    assert ANTHOLOGY.roles == {"OL1A": "Foreword"}
    with pytest.raises(TypeError):
        ANTHOLOGY.roles["OL2A"] = "Editor"  # type: ignore[index]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        ANTHOLOGY.title = "Other"  # type: ignore[misc]
    assert len({ANTHOLOGY, attrs.evolve(ANTHOLOGY), FIRST_WORK}) == 2


def test_sequences_given_as_lists_become_tuples() -> None:
    work = CatalogWork(
        id="OL1W",
        title="T",
        author_ids=["OL1A"],
        editions=[FIRST],
        subjects=["Fiction"],
    )
    edition = CatalogEdition(id="OL1M", title="T", providers=["isbndb"])
    assert work.author_ids == ("OL1A",)
    assert work.editions == (FIRST,)
    assert work.subjects == ("Fiction",)
    assert edition.providers == frozenset({"isbndb"})
    assert CatalogEdition(id="OL2M", title="T").providers == ALL_PROVIDERS


def _with_work(**changes: Any) -> Callable[[], Catalog]:
    return lambda: Catalog([AUTHOR, EDITOR], [attrs.evolve(FIRST_WORK, **changes)])


def _with_edition(**changes: Any) -> Callable[[], Catalog]:
    return _with_work(editions=(attrs.evolve(FIRST, **changes),))


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Catalog([AUTHOR, AUTHOR], []), "duplicate author id OL1A"),
        (lambda: Catalog([AUTHOR], [FIRST_WORK, FIRST_WORK]), "duplicate work id OL100W"),
        (
            lambda: Catalog([AUTHOR], [FIRST_WORK, attrs.evolve(DUPLICATE, editions=(FIRST,))]),
            "duplicate edition id OL10M",
        ),
        (_with_work(author_ids=("OL1A", "OL404A")), "unknown author OL404A"),
        (_with_work(author_ids=()), "has no author"),
        (_with_work(roles={"OL2A": "Editor"}), "gives a role to OL2A"),
        (_with_work(truth_of="OL404W"), "unknown work OL404W"),
        (_with_work(truth="fanfic"), "unknown truth"),
        (_with_work(id="100W"), "not an OpenLibrary work id"),
        (lambda: Catalog([attrs.evolve(AUTHOR, id="OL1")], []), "not an OpenLibrary author id"),
        (
            lambda: Catalog([attrs.evolve(PEN_NAME, pseudonym_of="OL9A")], []),
            "pen name of unknown author OL9A",
        ),
        (lambda: Catalog([attrs.evolve(AUTHOR, language="eng")], []), "not ISO 639-1"),
        (_with_edition(id="OL10"), "not an OpenLibrary edition id"),
        (_with_edition(isbn13="9780553418027", isbn10=None), "not a valid bare ISBN-13"),
        (_with_edition(isbn13="978-0553418026", isbn10=None), "not a valid bare ISBN-13"),
        (_with_edition(isbn13="1234567890123", isbn10=None), "not a valid bare ISBN-13"),
        (_with_edition(isbn10="0553418024"), "not a valid bare ISBN-10"),
        (_with_edition(isbn10="059035342X"), "which differ"),
        (_with_edition(providers=frozenset({"amazon"})), "has providers"),
        (_with_edition(providers=frozenset()), "has providers"),
        (_with_edition(google_id="short"), "not 12"),
        (_with_edition(language="English"), "not ISO 639-1"),
        (
            lambda: Catalog([AUTHOR], [FIRST_WORK, SAME_GOOGLE_ID]),
            "duplicate google_id abcdefghijkl",
        ),
    ],
)
def test_validation_errors(build: Callable[[], Catalog], message: str) -> None:
    with pytest.raises(ValueError, match="invalid catalog") as error:
        build()
    assert message in str(error.value)


def test_merged_adds_records_and_replaces_same_ids(catalog: Catalog) -> None:
    renamed = attrs.evolve(AUTHOR, name="Ann Renamed")
    extra = CatalogWork(id="OL500W", title="Extra", author_ids=("OL1A",))
    merged = catalog.merged(Catalog([renamed], [extra]))
    assert merged.author("OL1A") == renamed
    assert merged.author("OL2A") == EDITOR
    assert [work.id for work in merged.works_of("OL1A")] == ["OL100W", "OL200W", "OL300W", "OL500W"]
    assert catalog.author("OL1A") == AUTHOR


def test_dict_round_trip_through_json(catalog: Catalog) -> None:
    data = json.loads(json.dumps(catalog.to_dict()))
    again = Catalog.from_dict(data)
    assert again.authors == catalog.authors
    assert again.works == catalog.works
    assert again.to_dict() == data


def test_to_dict_leaves_defaults_out(catalog: Catalog) -> None:
    data = catalog.to_dict()
    assert data["authors"][1] == {"id": "OL2A", "name": "Ed Editor"}
    assert data["works"][1]["roles"] == {"OL1A": "Foreword"}
    assert data["works"][1]["editions"][0]["providers"] == ["isbndb"]


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"authors": {}},
        {"works": [1]},
        {"authors": [{"id": "OL1A", "name": "A", "nickname": "x"}]},
        {"authors": [{"name": "A"}]},
        {
            "authors": [{"id": "OL1A", "name": "A"}],
            "works": [{"id": "OL1W", "title": "T", "author_ids": ["OL1A"], "editions": {}}],
        },
    ],
)
def test_from_dict_rejects_malformed_documents(data: Any) -> None:
    with pytest.raises(ValueError, match="invalid catalog"):
        Catalog.from_dict(data)


@pytest.fixture(scope="module")
def synthetic() -> Catalog:
    return Catalog.synthetic()


def test_synthetic_sizes(synthetic: Catalog) -> None:
    assert len(synthetic.works) == 2000
    assert len(synthetic.works_of("OL9999999A")) == 2000
    assert all(len(work.editions) == 10 for work in synthetic.works)
    assert synthetic.author("OL9999999A") == CatalogAuthor(
        id="OL9999999A", name="Prolific Author", top_subjects=("Fiction",)
    )


def test_synthetic_ids_are_unique(synthetic: Catalog) -> None:
    edition_ids = [edition.id for _, edition in synthetic.editions()]
    assert len(set(edition_ids)) == len(edition_ids) == 20_000
    assert len({work.id for work in synthetic.works}) == 2000


def test_synthetic_isbns_are_valid_and_unique_but_for_duplicates(synthetic: Catalog) -> None:
    seen: Counter[str] = Counter()
    for _, edition in synthetic.editions():
        assert edition.isbn13 is not None
        assert stdnum_isbn.is_valid(edition.isbn13)
        if edition.isbn10 is not None:
            assert stdnum_isbn.to_isbn13(edition.isbn10) == edition.isbn13
        seen[edition.isbn13] += 1
    for isbn, count in seen.items():
        if count > 1:
            works = {synthetic.work_of_edition(e.id) for e in synthetic.editions_by_isbn(isbn)}
            assert {work.truth for work in works if work} == {"core", "duplicate"}


def test_synthetic_has_a_realistic_mix(synthetic: Catalog) -> None:
    truths = Counter(work.truth for work in synthetic.works)
    assert set(truths) == set(TRUTHS)
    assert truths["core"] / len(synthetic.works) > 0.7
    core_titles = [work.title for work in synthetic.works if work.truth == "core"]
    assert len(set(core_titles)) == len(core_titles)
    for work in synthetic.works:
        if work.truth in ("translation", "duplicate"):
            related = synthetic.work(work.truth_of or "")
            assert related is not None
            assert related.truth == "core"


def test_synthetic_is_deterministic_and_seeded() -> None:
    small = Catalog.synthetic(works=30, editions_per_work=3, seed=7)
    assert small.to_dict() == Catalog.synthetic(works=30, editions_per_work=3, seed=7).to_dict()
    assert small.to_dict() != Catalog.synthetic(works=30, editions_per_work=3, seed=8).to_dict()


def test_synthetic_for_another_author() -> None:
    small = Catalog.synthetic(author_id="OL42A", name="Someone", works=5, editions_per_work=2)
    assert [work.id for work in small.works_of("OL42A")][:1] == ["OL420W"]
    assert small.author("OL42A") is not None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"author_id": "42"}, "not an OpenLibrary author id"),
        ({"works": 0}, "at least 1"),
        ({"editions_per_work": 0}, "at least 1"),
    ],
)
def test_synthetic_rejects_bad_arguments(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Catalog.synthetic(**kwargs)


# -- a catalog read from JSON builds its records when first asked for --------------------------


def test_from_json_answers_every_lookup_as_the_built_catalog(catalog: Catalog) -> None:
    deferred = Catalog.from_json(dump_catalog(catalog))
    for isbn in ("9780553418026", "0553418025", "059035342X", "9780590353427", "9798000000243"):
        assert deferred.editions_by_isbn(isbn) == catalog.editions_by_isbn(isbn)
    for edition_id in ("OL10M", "OL11M", "OL20M", "OL30M", "OL99M"):
        assert deferred.edition(edition_id) == catalog.edition(edition_id)
        assert deferred.work_of_edition(edition_id) == catalog.work_of_edition(edition_id)
    for author_id in ("OL1A", "OL2A", "OL3A", "OL9A"):
        assert deferred.author(author_id) == catalog.author(author_id)
        assert deferred.works_of(author_id) == catalog.works_of(author_id)
    assert deferred.work("OL200W") == catalog.work("OL200W")
    assert deferred.edition_by_google_id("abcdefghijkl") == FIRST
    assert deferred.author_names(ANTHOLOGY) == ("Ed Editor", "Ann Author")
    assert deferred.authors == catalog.authors
    assert deferred.works == catalog.works
    assert list(deferred.editions()) == list(catalog.editions())
    assert deferred.to_dict() == catalog.to_dict()
    assert repr(deferred) == repr(catalog)


def test_from_json_gives_one_record_object_per_id(catalog: Catalog) -> None:
    deferred = Catalog.from_json(dump_catalog(catalog))
    (looked_up,) = deferred.editions_by_isbn("9780590353427")
    work = deferred.work("OL100W")
    assert work is not None
    assert looked_up is work.editions[1]
    assert deferred.works[0] is work


def test_from_json_checks_a_record_when_it_is_first_built() -> None:
    broken = dump_catalog(Catalog([AUTHOR, EDITOR], [FIRST_WORK, ANTHOLOGY])).replace(
        b'"isbn13":"9798000000243"', b'"isbn13":"9798000000244"'
    )
    deferred = Catalog.from_json(broken)
    assert deferred.editions_by_isbn("0553418025") == (FIRST,)
    with pytest.raises(ValueError, match="not a valid bare ISBN-13"):
        deferred.work("OL200W")
    with pytest.raises(ValueError, match="not a valid bare ISBN-13"):
        deferred.works  # noqa: B018


@pytest.mark.parametrize(
    ("catalog_json", "message"),
    [
        (b'{"authors":[{"id":"OL1A","name":"A"},{"id":"OL1A","name":"B"}]}', "duplicate author"),
        (
            b'{"authors":[{"id":"OL1A","name":"A","pseudonym_of":"OL2A"}]}',
            "pen name of unknown author OL2A",
        ),
        (
            b'{"authors":[{"id":"OL1A","name":"A"}],"works":[{"id":"OL1W","title":"T",'
            b'"author_ids":["OL2A"]}]}',
            "unknown author OL2A",
        ),
        (
            b'{"authors":[{"id":"OL1A","name":"A"}],"works":[{"id":"OL1W","title":"T",'
            b'"author_ids":["OL1A"],"truth_of":"OL2W"}]}',
            "unknown work OL2W",
        ),
        (
            b'{"authors":[{"id":"OL1A","name":"A"}],"works":[{"id":"OL1W","title":"T",'
            b'"author_ids":["OL1A"],"editions":[{"id":"OL1M","title":"T"},'
            b'{"id":"OL1M","title":"T"}]}]}',
            "duplicate edition id OL1M",
        ),
        (b'{"authors":{}}', "not a list of objects"),
        (b'{"authors":null}', "not a list of objects"),
        (b'{"works":{}}', "not a list of objects"),
        (b'{"works":[1]}', "not a list of objects"),
        (
            b'{"authors":[{"id":"OL1A","name":"A"}],"works":[{"id":"OL1W","title":"T",'
            b'"author_ids":["OL1A"],"editions":{}}]}',
            "'editions' is not a list",
        ),
        (
            b'{"authors":[{"id":"OL1A","name":"A"}],"works":[{"id":"OL1W","title":"T",'
            b'"author_ids":["OL1A"],"editions":[1]}]}',
            "an edition is not an object",
        ),
        (
            b'{"authors":[{"id":"OL1A","name":"A"}],"works":[{"id":"OL1W","title":"T",'
            b'"author_ids":["OL1A"],"editions":[{"id":"OL1M","google_id":"abcdefghijkl"},'
            b'{"id":"OL2M","google_id":"abcdefghijkl"}]}]}',
            "duplicate google_id abcdefghijkl",
        ),
        (
            b'{"authors":[{"id":"OL1A","name":"A"}],"works":[{"id":"OL1W","title":"T",'
            b'"author_ids":["OL1A"],"editions":[{"id":"OL1M","google_id":["x"]}]}]}',
            "google_id ['x'], not a string",
        ),
        (b'{"works":[{"id":7,"author_ids":["OL1A"]}]}', "a work id is 7, not a string"),
        (b"[1]", "not a mapping"),
        (b"{", "not JSON"),
        (b'{"works":[{"id":"OL1W"', "not JSON"),
    ],
)
def test_from_json_checks_ids_and_references_at_once(catalog_json: bytes, message: str) -> None:
    with pytest.raises(ValueError, match="invalid catalog") as error:
        Catalog.from_json(catalog_json)
    assert message in str(error.value)
