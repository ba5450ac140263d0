"""`LazyPattern`: the same answers as ``re.compile``, compiled on first use, and every pattern the
package holds compiles."""

from __future__ import annotations

import importlib
import pkgutil
import re
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

import bookstracker
from bookstracker._patterns import LazyPattern

PATTERNS = [
    (r"\s+", 0),
    (r"(?P<year>\d{4})(?:-(?P<month>\d{1,2}))?", 0),
    (r"\bet\.?\s+al\b\.?|\band\s+others\b", re.IGNORECASE),
    (r"[a-z]+", re.IGNORECASE),
]
texts = st.text(alphabet=st.sampled_from("ab AB12-3.et al9\t\n"), max_size=40)


@pytest.mark.parametrize(("source", "flags"), PATTERNS)
@given(text=texts)
def test_every_method_answers_as_the_compiled_pattern(source: str, flags: int, text: str) -> None:
    lazy, compiled = LazyPattern(source, flags), re.compile(source, flags)

    def same(a: re.Match[str] | None, b: re.Match[str] | None) -> bool:
        return (a is None and b is None) or (
            a is not None and b is not None and (a.span(), a.groups()) == (b.span(), b.groups())
        )

    assert same(lazy.search(text), compiled.search(text))
    assert same(lazy.match(text), compiled.match(text))
    assert same(lazy.fullmatch(text), compiled.fullmatch(text))
    assert same(lazy.search(text, 2, 10), compiled.search(text, 2, 10))
    assert lazy.sub("_", text) == compiled.sub("_", text)
    assert lazy.sub(lambda m: m.group().upper(), text, 1) == compiled.sub(
        lambda m: m.group().upper(), text, 1
    )
    assert lazy.subn("", text) == compiled.subn("", text)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    if compiled.groups == 0:
        assert lazy.split(text) == compiled.split(text)
        assert lazy.split(text, 1) == compiled.split(text, 1)
        assert lazy.findall(text) == compiled.findall(text)
    assert lazy.flags == compiled.flags
    assert lazy.pattern == source


def test_nothing_is_compiled_before_first_use() -> None:
    broken = LazyPattern(r"(unclosed")  # an error only compiling can find
    assert broken.pattern == "(unclosed"
    assert "unclosed" in repr(broken)
    with pytest.raises(re.error):
        broken.search("text")


def test_threads_racing_to_first_use_share_one_compiled_pattern() -> None:
    lazy = LazyPattern(r"(?:a|b)+c")
    seen: list[re.Pattern[str]] = []
    start = threading.Barrier(8)

    def use() -> None:
        start.wait()
        seen.append(lazy.compiled)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(p) for p in seen}) == 1
    assert lazy.search("xxababc") is not None


def _package_patterns() -> list[tuple[str, str, LazyPattern]]:
    found: list[tuple[str, str, LazyPattern]] = []
    for info in pkgutil.walk_packages(bookstracker.__path__, "bookstracker."):
        try:
            module = importlib.import_module(info.name)
        except ImportError:  # an optional extra that is not installed (web, PostgreSQL...)
            continue
        for name, value in vars(module).items():
            items = value if isinstance(value, tuple) else (value,)
            found.extend((info.name, name, item) for item in items if isinstance(item, LazyPattern))
    return found


def test_every_pattern_the_package_holds_compiles() -> None:
    patterns = _package_patterns()
    assert len(patterns) > 50  # names, the three providers, ISBN labels, dates...
    for module, name, pattern in patterns:
        try:
            pattern.compiled  # noqa: B018
        except re.error as error:  # pragma: no cover - the failure message
            pytest.fail(f"{module}.{name}: {error}")
