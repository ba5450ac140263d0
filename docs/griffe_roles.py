"""A griffe extension for the API reference: the docstrings' Sphinx roles as Markdown code.

The docstrings name other objects the Sphinx way (``:class:`~bookstracker.models.Bibliography```,
``:meth:`aclose```) and introduce examples with ``::``; mkdocstrings reads Markdown, so this
turns each role into a code span (the last dotted part when the target starts with ``~``) and
each trailing ``::`` into ``:``.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|meth|func|mod|attr|data|exc|obj):`(~?)([^`]+)`")
_LITERAL_INTRO = re.compile(r"::$", re.MULTILINE)


def _code(match: re.Match[str]) -> str:
    target = match.group(2)
    return f"`{target.rsplit('.', 1)[-1] if match.group(1) else target}`"


class SphinxRolesAsCode(griffe.Extension):
    """Rewrites Sphinx roles and ``::`` in every docstring before it is rendered."""

    def on_object(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        if obj.docstring is not None:
            text = _ROLE.sub(_code, obj.docstring.value)
            obj.docstring.value = _LITERAL_INTRO.sub(":", text)
