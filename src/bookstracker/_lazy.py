"""Package names loaded on first use, so that importing a package costs only what is used."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping, MutableMapping


def lazy_exports(
    package: str,
    exports: Mapping[str, str],
    namespace: MutableMapping[str, object],
    public: Iterable[str],
) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The module ``__getattr__`` and ``__dir__`` for ``package``: a name in ``exports`` is
    imported from its module on first use and kept in ``namespace`` (the package's globals)."""

    def get(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def listing() -> list[str]:
        return sorted({*namespace, *public})

    return get, listing
