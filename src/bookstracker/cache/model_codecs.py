"""The codecs of the answers the client caches: searches, editions (or none), bibliographies."""

from __future__ import annotations

from typing import Optional

from bookstracker.cache.codec import ValueCodec
from bookstracker.models import Bibliography, Edition, SearchResult

__all__ = ["BIBLIOGRAPHY", "EDITION", "SEARCH_RESULT"]

SEARCH_RESULT: ValueCodec[SearchResult] = ValueCodec(SearchResult)
EDITION: ValueCodec[Edition | None] = ValueCodec(Optional[Edition], name="Edition")  # noqa: UP045
BIBLIOGRAPHY: ValueCodec[Bibliography] = ValueCodec(Bibliography)
