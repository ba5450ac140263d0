"""``bookstracker mirror import FILE...`` and ``bookstracker mirror status``."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rich.progress import TaskID

    from bookstracker._json import JSONDict
    from bookstracker.mirror.importer import ImportProgress, ImportResult
    from bookstracker.mirror.store import MirrorStatus, MirrorStore

__all__ = ["mirror"]

EXIT_USAGE = 2
_SHOWN_BAD_LINES = 10


def _as_json(ctx: click.Context) -> bool:
    return bool(getattr(ctx.obj, "json", False))


def _open(url: str | None) -> MirrorStore:
    from bookstracker.errors import ConfigurationError
    from bookstracker.mirror.location import open_store

    try:
        return open_store(url)
    except ConfigurationError as exc:
        click.echo(f"bookstracker: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _size(count: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if count < 1024 or unit == "GB":
            return f"{count:.0f} {unit}" if unit == "B" else f"{count:.1f} {unit}"
        count /= 1024
    return f"{count:.1f} TB"


@click.group()
@click.option(
    "--url",
    envvar="BOOKSTRACKER_MIRROR_URL",
    help="sqlite:///path or postgresql://… (default: BOOKSTRACKER_MIRROR_URL, else an SQLite "
    "file in the user data folder).",
)
@click.pass_context
def mirror(ctx: click.Context, url: str | None) -> None:
    """A local mirror of OpenLibrary's monthly dumps (see docs/mirror.md)."""
    ctx.meta["mirror_url"] = url


@mirror.command("import")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=5000, show_default=True)
@click.pass_context
def import_command(ctx: click.Context, files: tuple[str, ...], batch_size: int) -> None:
    """Import dump files (ol_dump_*.txt.gz): authors, works, editions, redirects, deletes, or
    the combined dump. A killed import resumes where its last batch ended."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from bookstracker.errors import ConfigurationError
    from bookstracker.mirror.importer import import_dump

    store = _open(ctx.meta.get("mirror_url"))
    err = Console(stderr=True, highlight=False, emoji=False)
    results: list[ImportResult] = []
    progress = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TextColumn("{task.fields[records]:,} records, {task.fields[rate]:,.0f}/s"),
        TimeRemainingColumn(),
        console=err,
        disable=_as_json(ctx) or not err.is_terminal,
    )
    try:
        with progress:
            for name in files:
                task = progress.add_task(click.format_filename(name), total=None, records=0, rate=0)

                def show(state: ImportProgress, task: TaskID = task) -> None:
                    progress.update(
                        task,
                        total=state.bytes_total,
                        completed=state.bytes_read,
                        records=state.records,
                        rate=state.records_per_second,
                    )

                results.append(import_dump(store, name, batch_size=batch_size, on_progress=show))
    except ConfigurationError as exc:
        click.echo(f"bookstracker: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        click.echo("bookstracker: interrupted; run the same command to resume", err=True)
        sys.exit(130)
    finally:
        store.close()
    if _as_json(ctx):
        click.echo(json.dumps({"imports": [_result_dict(r) for r in results]}, indent=2))
        sys.exit(0)
    for result in results:
        state = result.state
        if result.already_done:
            click.echo(f"{state.source}: already imported ({state.applied:,} records)", err=True)
            continue
        resumed = f", resumed at line {result.resumed_from:,}" if result.resumed_from else ""
        rate = (state.records - result.records_before) / result.seconds if result.seconds else 0.0
        click.echo(
            f"{state.source}: {state.lines:,} lines, {state.records:,} records, "
            f"{state.applied:,} applied, {state.skipped:,} skipped, {state.bad:,} bad "
            f"({result.seconds:.1f} s, {rate:,.0f} records/s{resumed})",
            err=True,
        )
        for number, reason in state.bad_samples[:_SHOWN_BAD_LINES]:
            click.echo(f"  line {number}: {reason}", err=True)
        if state.bad > _SHOWN_BAD_LINES:
            click.echo(f"  … {state.bad - _SHOWN_BAD_LINES:,} more bad lines", err=True)
    sys.exit(0)


def _result_dict(result: ImportResult) -> JSONDict:
    state = result.state
    return {
        "source": state.source,
        "kind": state.kind,
        "dump_date": state.dump_date,
        "already_done": result.already_done,
        "resumed_from": result.resumed_from,
        "lines": state.lines,
        "records": state.records,
        "applied": state.applied,
        "skipped": state.skipped,
        "bad": state.bad,
        "bad_lines": [{"line": n, "reason": r} for n, r in state.bad_samples],
        "seconds": round(result.seconds, 3),
    }


@mirror.command("status")
@click.pass_context
def status_command(ctx: click.Context) -> None:
    """Which dump dates are loaded, how many records of each kind, and the size on disk."""
    from bookstracker.mirror.records import KINDS

    store = _open(ctx.meta.get("mirror_url"))
    try:
        status: MirrorStatus = store.status()
    finally:
        store.close()
    if _as_json(ctx):
        click.echo(json.dumps(status.to_dict(), indent=2))
        sys.exit(0)
    click.echo(f"mirror: {status.location} ({status.backend})")
    click.echo(f"dump dates loaded: {', '.join(status.dump_dates) or 'none'}")
    for kind in KINDS:
        count = status.counts.get(kind, 0)
        click.echo(f"  {kind + 's':<10} {count:>12,}")
    click.echo(f"size on disk: {_size(status.bytes_on_disk)}")
    for state in status.imports:
        mark = "complete" if state.complete else f"stopped at line {state.lines:,} (resumable)"
        click.echo(f"  {state.source}: {mark}, {state.applied:,} applied, {state.bad:,} bad")
    sys.exit(0)
