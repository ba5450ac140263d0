"""``bookstracker warm`` and ``--stats`` on the command line, offline, over the sample catalog."""

from __future__ import annotations

import csv
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from bookstracker.cli import cli
from bookstracker.library_import import read_library
from bookstracker.testing import sample_catalog
from bookstracker.warming import popular_authors

PROVIDERS = {"openlibrary", "googlebooks", "isbndb"}
WARM_KEYS = {"authors", "warmed", "skipped", "failed", "rejected_rows", "requests", "elapsed_s"}
STATS_PROVIDER_KEYS = {
    "requests",
    "successes",
    "failures",
    "rate_limited",
    "retries",
    "latency_ms",
    "breaker",
}
GOODREADS_HEADER = [
    "Book Id", "Title", "Author", "Author l-f", "Additional Authors", "ISBN", "ISBN13",
    "My Rating", "Average Rating", "Publisher", "Binding", "Number of Pages", "Year Published",
    "Original Publication Year", "Date Read", "Date Added", "Bookshelves",
    "Bookshelves with positions", "Exclusive Shelf", "My Review", "Spoiler", "Private Notes",
    "Read Count", "Owned Copies",
]  # fmt: skip
BAD_ROWS = {
    500: "short,row,only",
    1000: "99999" + "," * (len(GOODREADS_HEADER) - 1),
    1500: ',,,,,="",="123"' + "," * (len(GOODREADS_HEADER) - 7),
}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def goodreads_export(path: Path, rows: int = 2000) -> Path:
    """A Goodreads export of ``rows`` books from the sample catalog, with three bad rows at the
    file lines in ``BAD_ROWS``."""
    catalog = sample_catalog()
    pairs = [(w, e) for w, e in catalog.editions() if e.isbn13 or e.isbn10]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(GOODREADS_HEADER)
    line = 1
    index = 0
    while line <= rows:
        line += 1
        if line in BAD_ROWS:
            out.write(BAD_ROWS[line] + "\n")
            continue
        work, edition = pairs[index % len(pairs)]
        index += 1
        names = edition.authors or catalog.author_names(work)
        row = [""] * len(GOODREADS_HEADER)
        row[0] = str(index)
        row[1] = edition.title
        row[2] = names[0]
        row[4] = ", ".join(names[1:])
        row[5] = f'="{edition.isbn10 or ""}"'
        row[6] = f'="{edition.isbn13 or ""}"'
        row[18] = "read"
        writer.writerow(row)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def cache_dir(tmp_path: Path) -> str:
    return str(tmp_path / "cache")


def offline(cache_dir: str, *args: str) -> list[str]:
    return ["--offline", "--cache-dir", cache_dir, *args]


# -- warm --popular -----------------------------------------------------------------------------


def test_warm_popular_shows_progress_on_stderr_and_a_report(cache_dir: str) -> None:
    result = run(*offline(cache_dir, "warm", "--popular"))
    total = len(popular_authors())
    assert result.exit_code == 0, result.stderr
    progress = [line for line in result.stderr.splitlines() if line.startswith("warm: ")]
    assert progress[0].startswith(f"warm: 0/{total} (0%)")
    assert progress[-1].startswith(f"warm: {total}/{total} (100%), {total} warmed")
    assert progress[-1].endswith("finished")
    assert f"{total} authors: {total} warmed, 0 skipped" in result.stdout
    assert "requests: openlibrary " in result.stdout


def test_warm_popular_again_skips_every_author_with_no_request(cache_dir: str) -> None:
    assert run(*offline(cache_dir, "warm", "--popular")).exit_code == 0
    result = run(*offline(cache_dir, "--json", "warm", "--popular"))
    report = json.loads(result.stdout)
    assert report["warmed"] == 0
    assert report["skipped"] == report["authors"] == len(popular_authors())
    assert report["requests"] == dict.fromkeys(PROVIDERS, 0)


# -- warm --csv on a 2,000-row Goodreads export ------------------------------------------------


def test_warm_csv_of_2000_rows_then_author_is_a_cache_hit(tmp_path: Path, cache_dir: str) -> None:
    export = goodreads_export(tmp_path / "goodreads_library_export.csv")
    library = read_library(export)
    assert len(library.rows) + len(library.rejected) == 2000

    result = run(*offline(cache_dir, "--json", "warm", "--csv", str(export)))
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert set(report) == WARM_KEYS
    assert report["authors"] == len(library.authors())
    assert report["warmed"] + report["skipped"] + len(report["failed"]) == report["authors"]
    assert report["warmed"] > 30
    for failure in report["failed"]:
        assert set(failure) == {"name", "error"}
        assert failure["error"]
    assert [row["line"] for row in report["rejected_rows"]] == sorted(BAD_ROWS)
    assert all(set(row) == {"line", "reason"} for row in report["rejected_rows"])
    assert set(report["requests"]) == PROVIDERS
    assert all(isinstance(n, int) and n > 0 for n in report["requests"].values())
    assert isinstance(report["elapsed_s"], float)
    assert "warm: " in result.stderr

    failed = {f["name"] for f in report["failed"]}
    warmed = [name for name in library.authors() if name not in failed]
    for name in ["Margaret Atwood", "Haruki Murakami", *random.Random(7).sample(warmed, 4)]:
        answer = run(*offline(cache_dir, "--json", "author", name))
        assert answer.exit_code == 0, (name, answer.stderr)
        providers = json.loads(answer.stdout)["providers"]
        assert {p["status"] for p in providers.values()} == {"cached"}, name
        assert {p["requests"] for p in providers.values()} == {0}, name


def test_rejected_rows_are_listed_on_stderr(tmp_path: Path, cache_dir: str) -> None:
    export = tmp_path / "plain.csv"
    export.write_text(
        "Title,Author,ISBN13\nThe Martian,Andy Weir,9780553418026\nBroken,row\n", encoding="utf-8"
    )
    result = run(*offline(cache_dir, "warm", "--csv", str(export)))
    assert result.exit_code == 0, result.stderr
    assert "1 authors: 1 warmed, 0 skipped (fresh or done), 0 failed, 1 rejected rows" in (
        result.stdout
    )
    assert "rejected row, line 3: row has 2 fields, header has 3 fields" in result.stderr


# -- reports, failures and usage ----------------------------------------------------------------


def test_failed_authors_are_in_the_report_with_their_reason(cache_dir: str) -> None:
    result = run(*offline(cache_dir, "--json", "warm", "Andy Weir", "Zzyzx Nobody Qwerty"))
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert (report["authors"], report["warmed"]) == (2, 1)
    assert report["failed"] == [
        {
            "name": "Zzyzx Nobody Qwerty",
            "error": "NotFound: the sample catalog (offline mode) has no author named "
            "'Zzyzx Nobody Qwerty'",
        }
    ]


def test_when_every_author_fails_the_exit_code_is_3(cache_dir: str) -> None:
    result = run(*offline(cache_dir, "warm", "Zzyzx Nobody Qwerty"))
    assert result.exit_code == 3
    assert "failed: Zzyzx Nobody Qwerty: NotFound" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["warm"],
        ["warm", "--csv", "does-not-exist.csv"],
        ["warm", "--concurrency", "0", "Andy Weir"],
    ],
)
def test_bad_usage_exits_2(cache_dir: str, args: list[str]) -> None:
    result = CliRunner().invoke(cli, offline(cache_dir, *args))
    assert result.exit_code == 2


def test_an_unrecognised_export_exits_2(tmp_path: Path, cache_dir: str) -> None:
    export = tmp_path / "export.csv"
    export.write_text("colour,size\nred,3\n", encoding="utf-8")
    result = run(*offline(cache_dir, "warm", "--csv", str(export)))
    assert result.exit_code == 2
    assert "unrecognised library export" in result.stderr


# -- --stats ------------------------------------------------------------------------------------


def test_stats_with_json_puts_the_contract_figures_under_stats(cache_dir: str) -> None:
    result = run(*offline(cache_dir, "--json", "--stats", "warm", "Andy Weir", "Ted Chiang"))
    assert result.exit_code == 0
    document: dict[str, Any] = json.loads(result.stdout)
    assert set(document) == WARM_KEYS | {"stats"}
    stats = document["stats"]
    assert set(stats) == {"providers", "cache"}
    for name, figures in stats["providers"].items():
        assert set(figures) == STATS_PROVIDER_KEYS
        assert set(figures["latency_ms"]) == {"p50", "p95", "p99"}
        assert figures["requests"] == document["requests"][name]
        assert figures["successes"] + figures["failures"] == figures["requests"]
        assert figures["breaker"] == "closed"
    assert set(stats["cache"]) == {"memory", "disk"}
    for tier in stats["cache"].values():
        assert set(tier) == {"hits", "misses", "entries", "bytes"}
    assert stats["cache"]["disk"]["entries"] >= 2


def test_stats_without_json_is_a_table_on_stderr(cache_dir: str) -> None:
    result = run(*offline(cache_dir, "--stats", "author", "Andy Weir"))
    assert result.exit_code == 0
    assert "run figures" in result.stderr
    for name in PROVIDERS:
        assert name in result.stderr
    assert "hit rate" in result.stderr
    assert "run figures" not in result.stdout


def test_cache_stats_reports_the_tiers(cache_dir: str) -> None:
    run(*offline(cache_dir, "warm", "Andy Weir"))
    result = run(*offline(cache_dir, "--json", "cache", "stats"))
    assert result.exit_code == 0
    tiers = json.loads(result.stdout)["cache"]
    assert set(tiers) == {"memory", "disk"}
    assert tiers["disk"]["entries"] >= 1
