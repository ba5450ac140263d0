"""``python -m bookstracker.testing serve [--port N] [--catalog FILE]``: the fakes on loopback.

``python -m bookstracker.testing write-sample-catalog``: regenerate ``sample_catalog.json``
from ``_sample_data.py`` after editing it.
"""

from __future__ import annotations

import argparse
import sys

from bookstracker.testing import (
    Catalog,
    FakeGoogleBooks,
    FakeISBNdb,
    FakeOpenLibrary,
    FakeServer,
    Faults,
)
from bookstracker.testing._fake import FAULT_KINDS
from bookstracker.testing._server import serve_forever
from bookstracker.testing.labelled import load_labelled_catalog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bookstracker.testing")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the three fakes on 127.0.0.1")
    serve.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    serve.add_argument("--latency", type=float, default=0.0, help="seconds per request")
    serve.add_argument("--rate-limit", type=float, default=None, help="requests/second per fake")
    serve.add_argument("--fault-rate", type=float, default=0.0, help="share of requests failing")
    serve.add_argument(
        "--faults", default="500,503", help=f"fault kinds, comma-separated: {','.join(FAULT_KINDS)}"
    )
    serve.add_argument("--isbndb-key", default="test-key", help="the key the fake ISBNdb expects")
    serve.add_argument(
        "--catalog",
        default=None,
        help="a labelled catalog file to serve instead of the sample (its verdicts are not served)",
    )
    commands.add_parser(
        "write-sample-catalog", help="regenerate sample_catalog.json from _sample_data.py"
    )
    args = parser.parse_args(argv)
    if args.command == "write-sample-catalog":
        from bookstracker.testing._sample_builder import write_sample_catalog

        print(f"wrote {write_sample_catalog()}")
        return 0
    catalog: Catalog | None = None
    if args.catalog is not None:
        try:
            catalog = load_labelled_catalog(args.catalog).catalog
        except (OSError, ValueError) as exc:
            parser.error(f"--catalog: {exc}")
    kinds = tuple(k.strip() for k in args.faults.split(",") if k.strip())
    try:
        faults = Faults(rate=args.fault_rate, kinds=kinds)
    except ValueError as exc:
        parser.error(str(exc))
    common = {"latency": args.latency, "rate_limit": args.rate_limit, "faults": faults}
    server = FakeServer(
        FakeOpenLibrary(catalog, **common),
        FakeGoogleBooks(catalog, **common),
        FakeISBNdb(catalog, api_key=args.isbndb_key, **common),
        port=args.port,
    )
    server.start()
    for variable, url in server.env().items():
        print(f"{variable}={url}", flush=True)
    print(f"BOOKSTRACKER_ISBNDB_API_KEY={args.isbndb_key}", flush=True)
    print("serving; Ctrl-C stops", file=sys.stderr, flush=True)
    serve_forever(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
