"""The async client: several questions at once, sharing one client.

BOOKSTRACKER_OFFLINE=1 python examples/async_search.py
"""

from __future__ import annotations

import anyio

from bookstracker import AsyncBooksClient


async def main() -> None:
    async with AsyncBooksClient() as books:
        results: dict[str, object] = {}

        async def search(query: str) -> None:
            results[query] = await books.search(query, limit=3)

        async with anyio.create_task_group() as group:
            for query in ("the martian", "good omens", "norwegian wood"):
                group.start_soon(search, query)
        for query, result in results.items():
            print(query)
            for hit in result.hits:  # type: ignore[attr-defined]
                print(f"  {hit.title} ({hit.first_publish_year}) {', '.join(hit.sources)}")
        editions = await books.isbns(["0553418025", "978-0-7475-3269-9", "not-an-isbn"])
        for isbn, edition in editions.results.items():
            print(isbn, "->", edition.title if edition else None)
        print("invalid:", editions.invalid)


if __name__ == "__main__":
    anyio.run(main)
