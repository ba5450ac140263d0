"""OpenLibraryMirror: the HTTP adapter's answers, from a mirror imported from dumps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bookstracker import AsyncBooksClient, InvalidQuery, OpenLibrary
from bookstracker.config import parse_openlibrary_source
from bookstracker.mirror import MirrorStore, import_dumps, open_store
from bookstracker.providers.openlibrary_mirror import OpenLibraryMirror
from bookstracker.resilience import RetryPolicy
from bookstracker.testing import Catalog, FakeOpenLibrary, sample_catalog
from bookstracker.testing.dumps import write_catalog_dumps
from support import Fakes

pytestmark = pytest.mark.anyio

# Authors of the sample catalog with pen names, translations, companions and homonyms.
AUTHORS = ("Stephen King", "Haruki Murakami", "Ursula K. Le Guin", "Terry Pratchett")


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MirrorStore]:
    folder = tmp_path_factory.mktemp("mirror")
    store = open_store(f"sqlite:///{folder / 'mirror.sqlite3'}")
    import_dumps(store, write_catalog_dumps(sample_catalog(), folder / "dumps"))
    yield store
    store.close()


def comparable(document: dict[str, Any]) -> dict[str, Any]:
    """An author document without timings and request counts."""
    document = dict(document)
    document.pop("providers")
    return document


def verdicts(document: dict[str, Any]) -> list[tuple[str, str, str, str | None]]:
    return [(e["key"], e["title"], e["reason"], e["kept_under"]) for e in document["excluded"]]


async def bibliographies(
    fakes: Fakes, store: MirrorStore, name: str
) -> tuple[dict[str, Any], dict[str, Any], Any]:
    async with fakes.client() as client:
        over_api = (await client.author(name)).to_dict()
    fakes.reset_logs()
    adapters = fakes.adapters()
    await adapters["openlibrary"].aclose()
    mirror = OpenLibraryMirror(store)
    async with AsyncBooksClient(
        openlibrary=mirror,  # type: ignore[arg-type]
        googlebooks=adapters["googlebooks"],
        isbndb=adapters["isbndb"],
        cache=None,
    ) as client:
        bibliography = await client.author(name)
    return over_api, bibliography.to_dict(), bibliography


@pytest.mark.parametrize("name", AUTHORS)
async def test_author_over_the_mirror_matches_the_api_with_no_openlibrary_request(
    fakes: Fakes, sample_store: MirrorStore, name: str
) -> None:
    over_api, over_mirror, bibliography = await bibliographies(fakes, sample_store, name)
    assert fakes.openlibrary.count("/") == 0
    assert bibliography.providers["openlibrary"].status == "ok"
    assert bibliography.providers["openlibrary"].requests == 0
    assert comparable(over_mirror)["works"] == comparable(over_api)["works"]
    assert comparable(over_mirror)["excluded"] == comparable(over_api)["excluded"]
    assert comparable(over_mirror)["completeness"] == comparable(over_api)["completeness"]
    assert comparable(over_mirror)["author"] == comparable(over_api)["author"]


@pytest.mark.shared
async def test_the_labelled_catalog_over_the_mirror_gives_the_api_s_verdicts(
    tmp_path: Path, shared_fixtures: Path
) -> None:
    labelled = pytest.importorskip("bookstracker.testing.labelled")
    path = shared_fixtures.parent / "catalogs" / "dev" / "authors.json"
    if not path.is_file():
        pytest.skip("../shared/catalogs/dev/authors.json is not present")
    loaded = labelled.load_labelled_catalog(path)
    catalog: Catalog = loaded.catalog
    files = write_catalog_dumps(catalog, tmp_path / "dumps")
    for file in files:
        assert b'"truth' not in file.read_bytes()
    store = open_store(f"sqlite:///{tmp_path / 'mirror.sqlite3'}")
    import_dumps(store, files)
    fakes = Fakes(FakeOpenLibrary(catalog))
    fakes.googlebooks = type(fakes.googlebooks)(catalog)
    fakes.isbndb = type(fakes.isbndb)(catalog, api_key="test-key")
    for key in loaded.author_keys:
        over_api, over_mirror, _ = await bibliographies(fakes, store, key)
        assert fakes.openlibrary.count("/") == 0
        assert comparable(over_mirror)["works"] == comparable(over_api)["works"], key
        # The verdicts; an exclusion's evidence may cite the author's top subjects, which the
        # dumps do not hold (the mirror computes them), so its wording may differ.
        assert verdicts(over_mirror) == verdicts(over_api), key
    store.close()


async def test_mirror_first_asks_the_api_only_for_what_the_dump_lacks(
    fakes: Fakes, tmp_path: Path
) -> None:
    catalog = sample_catalog()
    king = next(a for a in catalog.authors if a.name == "Stephen King")
    gone = {king.id} | {a.id for a in catalog.authors if a.pseudonym_of == king.id}
    others = Catalog(
        [a for a in catalog.authors if a.id not in gone],
        [w for w in catalog.works if not gone & set(w.author_ids)],
    )
    store = open_store(f"sqlite:///{tmp_path / 'mirror.sqlite3'}")
    import_dumps(store, write_catalog_dumps(others, tmp_path / "dumps"))
    fallback = OpenLibrary(
        transport=fakes.openlibrary.transport(), rate=1000, retry=RetryPolicy(attempts=1)
    )
    async with OpenLibraryMirror(store, fallback=fallback) as mirror:
        assert mirror.mode == "mirror-first"
        local = await mirror.search_authors("Haruki Murakami")
        assert local
        assert fakes.openlibrary.count("/") == 0
        remote = await mirror.search_authors("Stephen King")
        assert remote[0].name == "Stephen King"
        assert fakes.openlibrary.count("/search/authors.json") == 1
        works = await mirror.author_works(king.id)
        assert works.total == len(catalog.works_of(king.id))
        assert fakes.openlibrary.count(f"/authors/{king.id}/works.json") == 1
    store.close()


async def test_lookups_follow_redirects_and_miss_deleted_records(tmp_path: Path) -> None:
    catalog = sample_catalog()
    first, second = catalog.works[0], catalog.works[1]
    edition = next(e for e in first.editions if "openlibrary" in e.providers and e.isbn13)
    store = open_store(f"sqlite:///{tmp_path / 'mirror.sqlite3'}")
    import_dumps(store, write_catalog_dumps(catalog, tmp_path / "old"))
    import_dumps(
        store,
        write_catalog_dumps(
            catalog,
            tmp_path / "new",
            date="2026-11-30",
            redirects={second.id: first.id},
            deleted=[edition.id],
        ),
    )
    mirror = OpenLibraryMirror(store)
    moved = await mirror.work(second.id)
    assert moved is not None
    assert moved.key == first.id
    assert await mirror.edition(edition.id) is None
    assert edition.isbn13 is not None
    found = await mirror.isbn(edition.isbn13)
    assert found is None or found.keys.get("openlibrary") != edition.id
    await mirror.aclose()
    store.close()


async def test_isbn_search_and_editions_have_the_api_s_shapes(
    fakes: Fakes, sample_store: MirrorStore
) -> None:
    mirror = OpenLibraryMirror(sample_store)
    api = fakes.adapters()["openlibrary"]
    work = next(w for w in sample_catalog().works if len(w.editions) > 2)
    edition = next(e for e in work.editions if "openlibrary" in e.providers and e.isbn13)
    assert edition.isbn13 is not None
    assert await mirror.isbn(edition.isbn13) == await api.isbn(edition.isbn13)
    assert await mirror.isbn("9780000000002") is None
    local = await mirror.work_editions(work.id)
    remote = await api.work_editions(work.id)
    assert local.editions == remote.editions
    assert local.total == remote.total
    hits = (await mirror.search(work.title, limit=5)).hits
    assert work.id in [h.keys["openlibrary"] for h in hits]
    by_isbn = (await mirror.search(isbn=edition.isbn13)).hits
    assert [h.keys["openlibrary"] for h in by_isbn] == [work.id]
    with pytest.raises(InvalidQuery):
        await mirror.search("ab")
    with pytest.raises(InvalidQuery):
        await mirror.search(limit=5)
    await api.aclose()


def test_sources_parse() -> None:
    assert parse_openlibrary_source(None) == "api"
    assert parse_openlibrary_source(" Mirror-First ") == "mirror-first"
    with pytest.raises(Exception, match="api, mirror or mirror-first"):
        parse_openlibrary_source("local")


async def test_the_client_takes_the_source_as_an_argument(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    store = open_store(f"sqlite:///{folder / 'mirror.sqlite3'}")
    import_dumps(store, write_catalog_dumps(sample_catalog(), folder / "dumps"))
    store.close()
    async with AsyncBooksClient(
        providers="openlibrary",
        openlibrary_source="mirror",
        mirror_url=f"sqlite:///{folder / 'mirror.sqlite3'}",
        cache=None,
    ) as client:
        assert isinstance(client.adapters["openlibrary"], OpenLibraryMirror)
        assert client.settings.openlibrary_source == "mirror"
        bibliography = await client.author("Terry Pratchett")
        assert bibliography.works
        assert bibliography.providers["openlibrary"].requests == 0
        stats = await client.stats()
        assert stats.providers["openlibrary"].requests == 0


def test_the_settings_never_show_the_mirror_url() -> None:
    from bookstracker.config import Settings

    settings = Settings.resolve(
        openlibrary_source="mirror", mirror_url="postgresql://me:s3cret@db/books"
    )
    assert "s3cret" not in repr(settings)
