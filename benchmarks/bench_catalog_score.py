"""Score the core-works filter on a labelled catalog, as a new user's data would meet it.

    .venv/bin/python benchmarks/bench_catalog_score.py CATALOG.json [--verbose] [--out DIR]
                                                        [--score-py PATH]

Every author record of the catalog that has works is looked up with ``author`` (by its
OpenLibrary key) through the three fakes serving the catalog over MockTransport (no cache), and
each JSON document is scored against the catalog's answer key with
``bookstracker.testing.labelled`` (the figures of the catalog's ``score.py``): precision and
recall of core works, excluded works with the right reason, core works returned with editions.
``--out DIR`` keeps the documents (one ``OL…A.json`` per author); ``--score-py PATH`` also runs
that scorer on them. The CPU seconds of the whole run are printed for context.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from _common import BENCH_KEY, adapters

from bookstracker import AsyncBooksClient
from bookstracker.testing.labelled import (
    LabelledCatalog,
    author_documents,
    format_scores,
    labelled_fakes,
    load_labelled_catalog,
    score_bibliographies,
)


async def documents(labelled: LabelledCatalog) -> dict[str, dict[str, Any]]:
    """One author document per author record with works."""
    fakes = labelled_fakes(labelled, isbndb_key=BENCH_KEY)
    made = adapters(transports={name: fake.transport() for name, fake in fakes.items()})
    async with AsyncBooksClient(cache=None, pins=None, **made) as client:
        return await author_documents(labelled, client)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("catalog", type=Path)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--score-py", type=Path, default=None)
    args = parser.parse_args()
    labelled = load_labelled_catalog(args.catalog)
    started = time.process_time()
    docs = anyio.run(documents, labelled)
    cpu = time.process_time() - started
    print(format_scores(score_bibliographies(docs, labelled), verbose=args.verbose))
    print(f"({len(docs)} authors, {cpu:.2f} s CPU)")
    if args.out is not None or args.score_py is not None:
        folder = args.out or Path(tempfile.mkdtemp(prefix="bookstracker-score-"))
        folder.mkdir(parents=True, exist_ok=True)
        for key, doc in docs.items():
            (folder / f"{key}.json").write_text(json.dumps(doc, ensure_ascii=False), "utf-8")
        if args.score_py is not None:
            command = [sys.executable, str(args.score_py), str(args.catalog), str(folder)]
            if args.verbose:
                command.append("--verbose")
            print(f"\n$ {' '.join(command)}", flush=True)
            return subprocess.run(command, check=False).returncode
    return 0


if __name__ == "__main__":
    sys.exit(main())
