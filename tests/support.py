"""What the client-level tests share: the three fakes and a client over them."""

from __future__ import annotations

from typing import Any

from bookstracker import AsyncBooksClient, GoogleBooks, ISBNdb, OpenLibrary
from bookstracker.resilience import RetryPolicy
from bookstracker.testing import FakeGoogleBooks, FakeISBNdb, FakeOpenLibrary, FakeProvider

PROVIDER_NAMES = ("openlibrary", "googlebooks", "isbndb")
KEY = "test-key"
# The deadline passing, or the request timeout it shortened, whichever fires first.
TIMED_OUT = r"timed out|timeout"

# What a provider's report says for each injected fault, over MockTransport.
FAULT_ERROR = {
    "500": r"\b500\b",
    "503": r"\b503\b",
    "hang": r"time",
    "reset": r"reset",
    "malformed": r"malformed|not valid JSON",
    "html": r"HTML",
    "truncated": r"truncat|complete message body",
}
# Over a real socket the server resets the connection after the cut body, so either shows.
LOOPBACK_FAULT_ERROR = {**FAULT_ERROR, "truncated": r"truncat|reset"}


class Fakes:
    """The three fakes, and clients over them in-process or through a loopback server."""

    def __init__(self, openlibrary: FakeOpenLibrary | None = None) -> None:
        self.openlibrary = openlibrary or FakeOpenLibrary()
        self.googlebooks = FakeGoogleBooks()
        self.isbndb = FakeISBNdb(api_key=KEY)

    def __getitem__(self, name: str) -> FakeProvider:
        fake: FakeProvider = getattr(self, name)
        return fake

    def reset(self) -> Fakes:
        for name in PROVIDER_NAMES:
            fake = self[name]
            fake.reset_log()
            fake.set_faults(None)
            fake.set_latency(0.0)
            fake.set_rate_limit(None)
        self.isbndb.reset_quota()
        return self

    def reset_logs(self) -> None:
        for name in PROVIDER_NAMES:
            self[name].reset_log()

    def adapters(
        self, *, timeout: float = 5.0, urls: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Adapters without retries, over MockTransport, or over ``urls`` when given."""

        def where(name: str) -> dict[str, Any]:
            if urls is not None:
                return {"base_url": urls[name]}
            return {"transport": self[name].transport()}

        once = RetryPolicy(attempts=1)
        return {
            "openlibrary": OpenLibrary(
                rate=1000, timeout=timeout, retry=once, **where("openlibrary")
            ),
            "googlebooks": GoogleBooks(
                rate=1000, timeout=timeout, retry=once, **where("googlebooks")
            ),
            "isbndb": ISBNdb(
                api_key=KEY, rate=1000, timeout=timeout, retry=once, **where("isbndb")
            ),
        }

    def client(
        self,
        *,
        timeout: float = 5.0,
        deadline: float | None = 30.0,
        urls: dict[str, str] | None = None,
        providers: tuple[str, ...] = PROVIDER_NAMES,
        **options: Any,
    ) -> AsyncBooksClient:
        """A client over the fakes, without a cache unless ``cache=`` is given."""
        adapters = self.adapters(timeout=timeout, urls=urls)
        return AsyncBooksClient(
            providers=providers,
            **{name: adapters[name] for name in providers},
            **{"cache": None, **options},
            deadline=deadline,
        )
