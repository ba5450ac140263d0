"""A plain script: an author's bibliography with the sync client.

python examples/script_author.py "Margaret Atwood"            # real providers
BOOKSTRACKER_OFFLINE=1 python examples/script_author.py "Andy Weir"
"""

from __future__ import annotations

import sys

from bookstracker import BooksClient, BooksTrackerError


def main(name: str) -> int:
    with BooksClient() as books:
        try:
            bib = books.author(name)
        except BooksTrackerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    print(f"{bib.author.name}: {len(bib.works)} core works")
    for work in bib.works:
        year = work.first_publish_year or "????"
        print(f"  {year}  {work.title}  ({len(work.editions)} editions)")
    for item in bib.excluded:
        print(f"  excluded ({item.reason}): {item.title}")
    if bib.completeness is not None:
        print(f"completeness {bib.completeness.score:.2f}, complete={bib.completeness.complete}")
    for provider, report in bib.providers.items():
        print(f"  {provider}: {report.status} {report.error or ''}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "Andy Weir"))
