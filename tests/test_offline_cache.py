"""Offline answers are cached apart from the real providers' answers (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
import stamina

from bookstracker import AllProvidersFailed, AsyncBooksClient
from bookstracker.cli import main
from bookstracker.testing import Faults
from support import Fakes


def online(fakes: Fakes, folder: Path) -> AsyncBooksClient:
    """A client of the "real" providers (the fakes, as a user's client would reach them)."""
    adapters = fakes.adapters()
    return AsyncBooksClient(**adapters, cache_dir=folder, deadline=30.0)


@pytest.mark.anyio
async def test_offline_cache_clear_keeps_the_real_answers(fakes: Fakes, tmp_path: Path) -> None:
    async with online(fakes, tmp_path) as client:
        await client.author("Andy Weir")
    async with AsyncBooksClient(offline=True, cache_dir=tmp_path) as offline:
        await offline.author("Andy Weir")
        await offline.clear_cache()
    fakes.reset_logs()
    async with online(fakes, tmp_path) as client:
        again = await client.author("Andy Weir")
    assert {r.status for r in again.providers.values()} == {"cached"}
    assert fakes.openlibrary.count() == 0


@pytest.mark.anyio
async def test_an_offline_answer_never_stands_in_for_a_real_one(
    fakes: Fakes, tmp_path: Path
) -> None:
    async with AsyncBooksClient(offline=True, cache_dir=tmp_path) as offline:
        await offline.author("Andy Weir")
    for name in ("openlibrary", "googlebooks", "isbndb"):
        fakes[name].set_faults(Faults.always("503"))
    with stamina.set_testing(True, attempts=1), pytest.raises(AllProvidersFailed):
        async with online(fakes, tmp_path) as client:
            await client.author("Andy Weir")


@pytest.mark.anyio
async def test_offline_answers_live_in_a_folder_of_their_own(tmp_path: Path) -> None:
    async with AsyncBooksClient(offline=True, cache_dir=tmp_path) as offline:
        await offline.author("Andy Weir")
        tiers = await offline.stats()
    assert (tmp_path / "offline").is_dir()
    assert tiers.cache["disk"].entries >= 1


def test_the_command_line_offline_clear_leaves_real_answers(
    fakes: Fakes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import anyio

    async def fill() -> None:
        async with online(fakes, tmp_path) as client:
            await client.search("the martian")

    anyio.run(fill)
    with pytest.raises(SystemExit) as exited:
        main(["--offline", "--cache-dir", str(tmp_path), "cache", "clear"])
    assert exited.value.code == 0
    assert "offline" in capsys.readouterr().out

    async def ask() -> str:
        async with online(fakes, tmp_path) as client:
            result = await client.search("the martian")
        return result.providers["openlibrary"].status

    assert anyio.run(ask) == "cached"
