"""User pins: works kept or left out by key, over the filter, reported as the user's."""

from __future__ import annotations

import pytest

from bookstracker.errors import ConfigurationError
from bookstracker.pins import WorkPins
from bookstracker.pipeline.corefilter import CoreWorksFilter, WorkCandidate
from support import Fakes

pytestmark = pytest.mark.anyio

WEIR = "OL7234434A"


def run(works: list[WorkCandidate], pins: WorkPins) -> CoreWorksFilter:
    return CoreWorksFilter(
        author_keys=[WEIR], author_names=["Andy Weir"], original_language="en", pins=pins
    )


def test_pins_parse_from_text_and_refuse_nonsense() -> None:
    pins = WorkPins.parse("OL1W, /works/ol2w", "OL3W=companion,OL4W")
    assert pins.keep == {"OL1W", "OL2W"}
    assert dict(pins.drop) == {"OL3W": "companion", "OL4W": "not-by-author"}
    for pin_in, pin_out in (("OL1A", ""), ("", "OL3W=maybe"), ("OL1W", "OL1W")):
        with pytest.raises(ConfigurationError):
            WorkPins.parse(pin_in, pin_out)
    assert WorkPins().digest() == ""
    assert pins.digest() == WorkPins.parse("OL2W,OL1W", "OL4W,OL3W=companion").digest()


def test_later_pins_replace_earlier_ones() -> None:
    merged = WorkPins.of(["OL1W"], ["OL2W"]).merged(WorkPins.of(["OL2W"], ["OL1W"]))
    assert merged.keep == {"OL2W"}
    assert set(merged.drop) == {"OL1W"}


def test_pins_override_the_filter_and_say_so() -> None:
    works = [
        WorkCandidate(key="W1", title="The Martian", author_keys=(WEIR,)),
        WorkCandidate(
            key="W2", title="Der Marsianer", author_keys=(WEIR,), languages=frozenset({"de"})
        ),
    ]
    pins = WorkPins(keep=frozenset({"W2"}), drop={"W1": "not-by-author"})
    result = run(works, pins).run(works)
    assert [w.key for w in result.core] == ["W2"]
    assert result.evidence["W2"].decided_by == "user"
    assert result.evidence["W2"].signals[0].name == "user_pin"
    (dropped,) = result.excluded
    assert (dropped.key, dropped.reason) == ("W1", "not-by-author")
    assert dropped.evidence is not None
    assert dropped.evidence.decided_by == "user"


async def test_client_pins_apply_and_are_part_of_the_cache_key(fakes: Fakes) -> None:
    from bookstracker import MemoryCache

    async with fakes.client(cache=MemoryCache(), pins=WorkPins.of(["OL70021013W"])) as client:
        pinned = await client.author("Andy Weir")
        unpinned = await client.author("Andy Weir", pins=WorkPins.of((), ["OL70021013W"]))
        again = await client.author("Andy Weir")
    keys = [w.openlibrary_key for w in pinned.works]
    assert "OL70021013W" in keys
    (work,) = [w for w in pinned.works if w.openlibrary_key == "OL70021013W"]
    assert work.evidence is not None
    assert work.evidence.decided_by == "user"
    assert "OL70021013W" not in [w.openlibrary_key for w in unpinned.works]
    assert [w.openlibrary_key for w in again.works] == keys


async def test_pins_come_from_the_environment(
    fakes: Fakes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BOOKSTRACKER_PIN_OUT", "OL17091839W=duplicate")
    async with fakes.client() as client:
        bib = await client.author("Andy Weir")
    assert "OL17091839W" not in [w.openlibrary_key for w in bib.works]
    (out,) = [e for e in bib.excluded if e.key == "OL17091839W"]
    assert out.reason == "duplicate"
    assert out.evidence is not None
    assert out.evidence.decided_by == "user"
