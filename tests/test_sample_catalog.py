"""The bundled sample catalog: its authors, Andy Weir's 18 works, and the mess it must contain."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from stdnum import isbn as stdnum_isbn

from bookstracker.testing import catalog as catalog_module
from bookstracker.testing.catalog import Catalog, CatalogAuthor, CatalogWork, sample_catalog

WEIR = "OL7234434A"
WEIR_CORE = {
    "The Martian",
    "Artemis",
    "Project Hail Mary",
    "The Egg",
    "Lacero",
    "Randomize",
    "Cheshire Crossing",
}
POPULAR = Path(catalog_module.__file__).parents[1] / "data" / "popular_authors.txt"


@pytest.fixture(scope="module")
def sample() -> Catalog:
    return sample_catalog()


def _author(sample: Catalog, name: str) -> CatalogAuthor:
    (author,) = [author for author in sample.authors if author.name == name]
    return author


def _work(sample: Catalog, title: str, author: str | None = None) -> CatalogWork:
    found = [
        work
        for work in sample.works
        if work.title == title
        and work.truth == "core"
        and (author is None or _author(sample, author).id in work.author_ids)
    ]
    assert len(found) == 1, title
    return found[0]


def _subject_authors(work: CatalogWork) -> list[str]:
    """The work's credited authors: those without a role (translator, editor, foreword...)."""
    return [author_id for author_id in work.author_ids if author_id not in work.roles]


def _language(sample: Catalog, author_id: str) -> str:
    author = sample.author(author_id)
    assert author is not None
    return author.language


def test_sample_catalog_is_built_once() -> None:
    assert sample_catalog() is sample_catalog()


def test_at_least_thirty_authors_with_core_works(sample: Catalog) -> None:
    with_core = {work.author_ids[0] for work in sample.works if work.truth == "core"}
    assert len(with_core) >= 30


def test_popular_authors_file_names_29_sample_authors(sample: Catalog) -> None:
    lines = POPULAR.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(set(lines)) == 29
    assert lines[:9] == [
        "Stephen King",
        "J.K. Rowling",
        "George R.R. Martin",
        "Margaret Atwood",
        "Neil Gaiman",
        "Agatha Christie",
        "Dan Brown",
        "John Grisham",
        "James Patterson",
    ]
    for name in lines:
        author = _author(sample, name)
        assert any(work.truth == "core" for work in sample.works_of(author.id)), name


def test_andy_weir_has_18_works_of_which_7_core(sample: Catalog) -> None:
    works = sample.works_of(WEIR)
    assert len(works) == 18
    core = [work for work in works if work.truth == "core"]
    assert {work.title for work in core} == WEIR_CORE
    assert len(core) == 7
    assert _work(sample, "The Martian").id == "OL17091839W"
    assert sample.author(WEIR) is not None


def test_andy_weirs_mess_has_every_kind(sample: Catalog) -> None:
    truths = Counter(work.truth for work in sample.works_of(WEIR))
    assert truths == {
        "core": 7,
        "translation": 5,
        "collection": 1,
        "companion": 2,
        "duplicate": 2,
        "not-by-author": 1,
    }
    guides = [work for work in sample.works_of(WEIR) if work.truth == "companion"]
    assert all(work.author_ids[0] != WEIR and WEIR in work.author_ids for work in guides)


def test_isbndb_knows_only_the_martian_among_weirs_core_works(sample: Catalog) -> None:
    core = [work for work in sample.works_of(WEIR) if work.truth == "core"]

    def known_to(provider: str) -> set[str]:
        return {
            work.title
            for work in core
            if any(provider in edition.providers for edition in work.editions)
        }

    assert known_to("isbndb") == {"The Martian"}
    assert known_to("googlebooks") == WEIR_CORE - {"The Egg"}
    assert known_to("openlibrary") == WEIR_CORE
    egg = _work(sample, "The Egg")
    assert all(edition.providers == {"openlibrary"} for edition in egg.editions)


def test_the_martian_paperback_isbn_is_real_and_shared_by_a_duplicate(sample: Catalog) -> None:
    editions = sample.editions_by_isbn("0553418025")
    works = [sample.work_of_edition(edition.id) for edition in editions]
    assert [work.truth for work in works if work] == ["core", "duplicate"]
    assert editions[0].isbn13 == "9780553418026"


def test_every_truth_label_appears(sample: Catalog) -> None:
    truths = Counter(work.truth for work in sample.works)
    assert set(truths) == {
        "core",
        "translation",
        "collection",
        "companion",
        "duplicate",
        "not-by-author",
    }
    assert truths["duplicate"] >= 6


def test_non_core_records_explain_themselves(sample: Catalog) -> None:
    for work in sample.works:
        if work.truth == "core":
            continue
        assert work.note, work.title
        if work.truth == "duplicate":
            assert work.truth_of, work.title
        if work.truth_of is not None:
            related = sample.work(work.truth_of)
            assert related is not None, work.title
            assert related.truth == "core"


def test_translations_are_decidable_from_edition_languages(sample: Catalog) -> None:
    for work in sample.works:
        languages = {_language(sample, author_id) for author_id in _subject_authors(work)}
        editions = {edition.language for edition in work.editions}
        all_foreign = None not in editions and not editions & languages
        if work.truth == "translation":
            assert all_foreign, work.title
        elif work.truth == "core":
            assert editions & languages, work.title
        elif work.truth == "duplicate":
            assert not all_foreign, f"{work.title}: the language rule would call it a translation"


def test_translations_filed_as_works_for_many_authors(sample: Catalog) -> None:
    translated = {work.author_ids[0] for work in sample.works if work.truth == "translation"}
    assert len(translated) >= 5
    for name, title in [
        ("Haruki Murakami", "Kafka on the Shore"),
        ("Gabriel García Márquez", "One Hundred Years of Solitude"),
        ("Liu Cixin", "The Three-Body Problem"),
    ]:
        author = _author(sample, name)
        assert author.language != "en"
        (work,) = [w for w in sample.works_of(author.id) if w.title == title]
        assert work.truth == "translation"
        assert {edition.language for edition in work.editions} == {"en"}


def test_translations_kept_under_the_original_work(sample: Catalog) -> None:
    stone = _work(sample, "Harry Potter and the Philosopher's Stone")
    assert {"en", "es", "it"} <= {edition.language for edition in stone.editions}


def test_box_sets_are_collections_and_own_story_collections_are_core(sample: Catalog) -> None:
    by_title = {work.title: work for work in sample.works}
    for title in [
        "Harry Potter Box Set",
        "A Song of Ice and Fire 4-Book Boxed Set",
        "The Hitchhiker's Guide to the Galaxy: The Complete Trilogy in Five Parts",
        "Andy Weir 3 Books Collection Set: The Martian, Artemis, Project Hail Mary",
    ]:
        assert by_title[title].truth == "collection"
    assert _work(sample, "Night Shift").first_publish_year == 1978
    assert _work(sample, "Smoke and Mirrors").first_publish_year == 1998


def test_study_guides_by_others_are_companions(sample: Catalog) -> None:
    writers = set()
    for work in sample.works:
        if work.truth == "companion":
            writers.add(sample.author_names(work)[0])
    assert {"SparkNotes", "CliffsNotes", "SuperSummary", "BookRags"} <= writers
    assert any(w.title.startswith("Workbook for ") and w.truth == "companion" for w in sample.works)


def test_a_duplicate_with_an_earlier_year(sample: Catalog) -> None:
    earlier = []
    for work in sample.works:
        related = sample.work(work.truth_of or "")
        if work.truth != "duplicate" or related is None:
            continue
        if (work.first_publish_year or 9999) < (related.first_publish_year or 0):
            earlier.append(work)
            assert len(work.editions) < len(related.editions)
    assert earlier


@pytest.mark.parametrize(
    ("pen_name", "real_name"),
    [
        ("Richard Bachman", "Stephen King"),
        ("Robert Galbraith", "J.K. Rowling"),
        ("Mary Westmacott", "Agatha Christie"),
    ],
)
def test_pen_names_and_real_people_point_at_each_other(
    sample: Catalog, pen_name: str, real_name: str
) -> None:
    pen, real = _author(sample, pen_name), _author(sample, real_name)
    assert pen.pseudonym_of == real.id
    assert real.pseudonym_of is None
    assert real_name in pen.alternate_names
    assert pen_name in real.alternate_names
    filed_under_pen_name = [w for w in sample.works_of(pen.id) if w.author_ids[0] == pen.id]
    assert filed_under_pen_name
    assert all(work.truth == "core" for work in filed_under_pen_name)


def test_co_authored_works_are_core_for_each_author(sample: Catalog) -> None:
    omens = _work(sample, "Good Omens")
    assert sample.author_names(omens) == ("Terry Pratchett", "Neil Gaiman")
    assert omens in sample.works_of(_author(sample, "Neil Gaiman").id)
    talisman = _work(sample, "The Talisman")
    assert sample.author_names(talisman) == ("Stephen King", "Peter Straub")
    missing = _work(sample, "The President Is Missing")
    assert sample.author_names(missing) == ("James Patterson", "Bill Clinton")


def test_two_different_david_mitchells(sample: Catalog) -> None:
    mitchells = [author for author in sample.authors if author.name == "David Mitchell"]
    assert len(mitchells) == 2
    novelist, comedian = sorted(mitchells, key=lambda author: author.birth_date or "")
    assert novelist.birth_date is not None
    assert "1969" in novelist.birth_date
    assert comedian.birth_date is not None
    assert "1974" in comedian.birth_date
    assert novelist.id != comedian.id
    novels = {work.title for work in sample.works_of(novelist.id) if work.truth == "core"}
    memoirs = {work.title for work in sample.works_of(comedian.id) if work.truth == "core"}
    assert "Cloud Atlas" in novels
    assert {"Back Story", "Thinking About It Only Makes It Worse"} <= memoirs
    assert not novels & memoirs
    misfiled = [w for w in sample.works_of(novelist.id) if w.title in memoirs]
    assert [w.truth for w in misfiled] == ["not-by-author"]  # as real works lists carry them


def test_not_by_author_records_use_roles_or_subjects(sample: Catalog) -> None:
    records = [work for work in sample.works if work.truth == "not-by-author"]
    assert any("Foreword" in work.roles.values() for work in records)
    assert any("Editor" in work.roles.values() for work in records)
    assert any("Biography" in work.subjects for work in records)


def test_messy_edition_data(sample: Catalog) -> None:
    printed = {name for _, edition in sample.editions() for name in edition.authors}
    assert {"ROWLING, J.K.", "J. K. Rowling", "Weir, Andy", "George R. R. Martin"} <= printed
    assert any(edition.language is None for _, edition in sample.editions())
    assert any(w.truth == "core" and w.first_publish_year is None for w in sample.works)


def test_provider_coverage_differs(sample: Catalog) -> None:
    coverage = Counter(frozenset(edition.providers) for _, edition in sample.editions())
    for provider in ("openlibrary", "googlebooks", "isbndb"):
        assert coverage[frozenset({provider})] > 0, provider
    for _, edition in sample.editions():
        assert ("googlebooks" in edition.providers) == (edition.google_id is not None)
        if "isbndb" in edition.providers:
            assert edition.isbn13 is not None


def test_isbns_are_valid_and_unique_but_for_deliberate_shares(sample: Catalog) -> None:
    holders: defaultdict[str, list[CatalogWork]] = defaultdict(list)
    for work, edition in sample.editions():
        if edition.isbn13 is None:
            assert edition.isbn10 is None
            continue
        assert stdnum_isbn.is_valid(edition.isbn13)
        if edition.isbn10 is not None:
            assert stdnum_isbn.to_isbn13(edition.isbn10) == edition.isbn13
        holders[edition.isbn13].append(work)
    shared = {isbn: works for isbn, works in holders.items() if len(works) > 1}
    assert shared
    for works in shared.values():
        core, duplicate = works
        assert duplicate.truth == "duplicate"
        assert duplicate.truth_of == core.id


def test_sample_round_trips_through_json(sample: Catalog) -> None:
    again = Catalog.from_dict(json.loads(json.dumps(sample.to_dict())))
    assert again.works == sample.works
    assert again.authors == sample.authors
