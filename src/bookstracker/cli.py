"""The ``bookstracker`` command line (also ``python -m bookstracker``).

Exit codes: 0 an answer (also when some providers failed), 1 every provider that answered had
nothing, 2 bad usage or invalid input (nothing sent upstream), 3 no provider could answer.
"""

from __future__ import annotations

import functools
import importlib
import logging
import re
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, ParamSpec, TextIO, TypedDict, TypeVar

import anyio
import click

from bookstracker._display import CACHE_COLUMNS, STATS_COLUMNS, cache_rows, stats_rows
from bookstracker._json import JSONDict
from bookstracker._patterns import LazyPattern
from bookstracker._text import terminal_safe, text_problem
from bookstracker.config import UNSET, parse_providers
from bookstracker.errors import (
    AllProvidersFailed,
    BooksTrackerError,
    CacheError,
    InvalidInput,
    NotFound,
)
from bookstracker.models import (
    PROVIDERS,
    AuthorCandidate,
    Bibliography,
    Completeness,
    Edition,
    IsbnResults,
    ProviderReport,
    SearchResult,
    reports_to_dict,
)

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

    from bookstracker.client import AsyncBooksClient
    from bookstracker.metrics import Stats
    from bookstracker.progress import WarmProgress
    from bookstracker.warming import WarmReport

__all__ = ["main"]

EXIT_OK, EXIT_EMPTY, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3

T = TypeVar("T")
P = ParamSpec("P")
R = TypeVar("R")
F = TypeVar("F", bound=Callable[..., object])

Document = JSONDict
"""A JSON document printed with ``--json``."""
Rendered = tuple[Document, int]


class Options:
    """The global options of one invocation (given before the command, after it, or both)."""

    def __init__(
        self,
        *,
        as_json: bool,
        offline: bool,
        providers: str | None,
        no_cache: bool,
        cache_dir: str | None,
        stats: bool,
        verbose: int,
    ) -> None:
        self.json = as_json
        self.offline = offline
        self.providers = providers
        self.no_cache = no_cache
        self.cache_dir = cache_dir
        self.stats = stats
        self.verbose = verbose
        self._logging_level: int | None = None

    @functools.cached_property
    def out(self) -> Console:
        """Where results are printed (rich is imported on the first print: ``--json`` needs
        none)."""
        return _console(soft_wrap=True)

    @functools.cached_property
    def err(self) -> Console:
        """Where messages for the user are printed."""
        return _console(stderr=True)

    def update(self, name: str, value: object) -> None:
        """Add one global option given after the command: flags and ``-v`` add up."""
        name = "json" if name == "as_json" else name
        if name == "verbose":
            self.verbose += value if isinstance(value, int) else 0
        elif isinstance(value, bool):
            setattr(self, name, getattr(self, name) or value)
        elif value is not None:
            setattr(self, name, value)

    def apply(self) -> None:
        """Check the provider list and set up logging; safe to call again after more options."""
        if self.providers is not None:
            try:
                parse_providers(self.providers)
            except InvalidInput as exc:
                _fail(str(exc), EXIT_USAGE)
        if self.verbose:
            _log_to_stderr(logging.DEBUG if self.verbose > 1 else logging.INFO)

    def client(self) -> AsyncBooksClient:
        from bookstracker.client import AsyncBooksClient

        return AsyncBooksClient(
            providers=parse_providers(self.providers),
            offline=True if self.offline else UNSET,
            cache=None if self.no_cache else UNSET,
            cache_dir=self.cache_dir or UNSET,
        )


def cli_argument(value: str, *, what: str = "argument") -> str:
    """A command-line argument as given, or `InvalidInput` when it cannot be trusted as text.

    Refused: bytes that were not UTF-8 (Python hands them over as lone surrogates) and control
    characters other than whitespace.
    """
    problem = text_problem(value)
    if problem is not None:
        raise InvalidInput(f"{what} {problem}")
    return value


def _console(
    *,
    stderr: bool = False,
    soft_wrap: bool = False,
    file: TextIO | None = None,
    width: int | None = None,
) -> Console:
    """A rich console that prints provider text as it came (no highlighting, no emoji codes)."""
    from rich.console import Console

    return Console(
        stderr=stderr,
        soft_wrap=soft_wrap,
        file=file,
        width=width,
        highlight=False,
        emoji=False,
    )


def _show(text: str) -> str:
    """``text`` as inert rich markup: no escape sequence, control character or markup tag."""
    from rich.markup import escape

    return escape(terminal_safe(text))


def _json_text(document: Mapping[str, object]) -> str:
    """The document as JSON whose every control character and lone surrogate is escaped."""
    import json  # only for --json

    text = json.dumps(document, ensure_ascii=False, indent=2)
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


_UNSAFE_IN_JSON = LazyPattern("[\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"bookstracker: {terminal_safe(message)}", err=True)
    sys.exit(code)


def _emit(options: Options, document: Document, stats: Stats | None) -> None:
    if options.json:
        if stats is not None:
            document["stats"] = stats.contract_dict()
        click.echo(_json_text(document))
    if stats is not None and not options.json:
        _print_stats(options, stats)


def _run(
    options: Options,
    action: Callable[[AsyncBooksClient], Awaitable[T]],
    render: Callable[[Options, T], Rendered],
) -> None:
    async def main() -> tuple[T | AllProvidersFailed | NotFound, Stats | None]:
        async with options.client() as client:
            try:
                value = await action(client)
            except (AllProvidersFailed, NotFound) as exc:
                stats = await client.stats() if options.stats else None
                return exc, stats
            stats = await client.stats() if options.stats else None
            return value, stats

    try:
        value, stats = anyio.run(main)
    except (InvalidInput, CacheError) as exc:
        _fail(str(exc), EXIT_USAGE)
    except BooksTrackerError as exc:
        _fail(str(exc), EXIT_UNAVAILABLE)
    if isinstance(value, AllProvidersFailed):
        message = str(value) if options.json else value.message
        _failure(options, value.reports, message, stats, EXIT_UNAVAILABLE)
    if isinstance(value, NotFound):
        _failure(options, value.reports, str(value), stats, EXIT_EMPTY, value.suggestions)
    document, code = render(options, value)
    _emit(options, document, stats)
    sys.exit(code)


def _failure(
    options: Options,
    reports: Mapping[str, ProviderReport],
    message: str,
    stats: Stats | None,
    code: int,
    suggestions: tuple[str, ...] = (),
) -> NoReturn:
    if options.json:
        document: Document = {"error": message, "providers": reports_to_dict(reports)}
        if code == EXIT_EMPTY:
            document["suggestions"] = list(suggestions)
        _emit(options, document, stats)
    else:
        options.err.print(f"bookstracker: {_show(message)}")
        _print_reports(options, reports, to_stderr=True)
        if code == EXIT_EMPTY and options.offline:
            options.err.print(
                "hint: bookstracker --offline authors lists the sample catalog's authors",
                style="dim",
            )
        asked = [r for r in reports.values() if r.status == "error"]
        if asked and all("unavailable" in (r.error or "") for r in asked) and not options.offline:
            options.err.print(
                "hint: no provider could be reached; --offline answers from the bundled "
                "sample catalog",
                style="dim",
            )
        if stats is not None:
            _print_stats(options, stats)
    sys.exit(code)


# -- rendering ---------------------------------------------------------------------------------


def _print_reports(
    options: Options, reports: Mapping[str, ProviderReport], *, to_stderr: bool = False
) -> None:
    console = options.err if to_stderr else options.out
    parts = []
    for name, data in reports_to_dict(reports).items():
        text = f"{name}: {data['status']}"
        if data["requests"]:
            text += f" ({data['requests']} req, {data['elapsed_ms']:.0f} ms)"
        if data["error"]:
            text += f" [{data['error']}]"
        parts.append(text)
    console.print(_show("providers: " + " · ".join(parts)), style="dim")


def _render_search(options: Options, result: SearchResult) -> Rendered:
    code = EXIT_OK if result.hits else EXIT_EMPTY
    if not options.json:
        table = _results_table(f"Search: {_show(result.query)}")
        for column in ("#", "title", "authors", "year", "sources", "isbn-13"):
            _add_column(table, column)
        for index, hit in enumerate(result.hits, 1):
            table.add_row(
                str(index),
                _show(hit.title),
                _show(", ".join(hit.authors[:3])),
                str(hit.first_publish_year or ""),
                ", ".join(hit.sources),
                hit.isbn13[0] if hit.isbn13 else "",
            )
        options.out.print(table if result.hits else "no results")
        _print_reports(options, result.providers)
    return result.to_dict(), code


def _render_isbns(options: Options, result: IsbnResults) -> Rendered:
    code = EXIT_OK if result.found else EXIT_EMPTY
    if not options.json:
        table = _results_table("ISBN lookup")
        for column in ("isbn", "title", "authors", "publisher", "published", "pages", "lang"):
            _add_column(table, column)
        for given, edition in result.results.items():
            if edition is None:
                table.add_row(_show(given), "(not found)", "", "", "", "", "")
                continue
            table.add_row(
                _show(given),
                _show(edition.title),
                _show(", ".join(edition.authors[:3])),
                _show(edition.publisher or ""),
                edition.published or "",
                str(edition.pages or ""),
                edition.language or "",
            )
        options.out.print(table)
        for bad in result.invalid:
            options.err.print(f"invalid ISBN: {_show(bad)}")
        _print_reports(options, result.providers)
    return result.to_dict(), code


def _render_author(options: Options, bib: Bibliography) -> Rendered:
    if not options.json:
        out = options.out
        key = bib.author.keys.get("openlibrary")
        about = ", ".join(filter(None, (key, _born(bib.author.birth_date))))
        out.print(
            f"[bold]{_show(bib.author.name)}[/bold]" + (f" ({_show(about)})" if about else "")
        )
        others = [c for c in bib.candidates if c.keys.get("openlibrary") != key]
        if others:
            out.print(
                _show(
                    "other candidates (ask by key for one of them): "
                    + "; ".join(_candidate_line(c) for c in others)
                ),
                style="dim",
            )
        table = _results_table(f"Core works ({len(bib.works)})")
        for column in ("year", "title", "key", "editions", "sources"):
            _add_column(table, column)
        for work in bib.works:
            table.add_row(
                str(work.first_publish_year or ""),
                _show(work.title),
                _show(work.keys.get("openlibrary", "")),
                str(len(work.editions)),
                ", ".join(work.sources),
            )
        out.print(table)
        for work in bib.works:
            if not work.editions:
                continue
            out.print(f"[bold]{_show(work.title)}[/bold] editions:")
            out.print(_editions_table(work.editions))
        if bib.excluded:
            excluded = _results_table(f"Excluded ({len(bib.excluded)})")
            for column in ("reason", "title", "key", "why"):
                _add_column(excluded, column)
            for item in bib.excluded:
                excluded.add_row(
                    item.reason, _show(item.title), _show(item.key or ""), _show(item.detail)
                )
            out.print(excluded)
        if bib.completeness is not None:
            _print_completeness(options, bib.completeness)
        if bib.stale:
            options.err.print("note: every provider failed; this is a stale cached answer")
        _print_reports(options, bib.providers)
    return bib.to_dict(), EXIT_OK


_UNBROKEN_COLUMNS = frozenset(
    {"#", "isbn", "isbn-13", "year", "published", "pages", "lang", "key", "editions", "reason"}
    | {"born", "works"}
)


def _results_table(title: str) -> Table:
    from rich import box
    from rich.table import Table

    return Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)


def _add_column(table: Table, name: str) -> None:
    """Identifiers and numbers are never broken; text wraps, and folds rather than ending in an
    ellipsis when one word is wider than its column."""
    if name in _UNBROKEN_COLUMNS:
        table.add_column(name, no_wrap=True)
    else:
        table.add_column(name, overflow="fold", min_width=_MIN_WIDTHS.get(name))


_MIN_WIDTHS = {"title": 16, "why": 16, "authors": 10, "publisher": 10}


def _born(birth_date: str | None) -> str | None:
    year = re.search(r"\b(\d{3,4})\b", birth_date or "")
    return f"born {year.group(1)}" if year else None


def _candidate_line(candidate: AuthorCandidate) -> str:
    about = [candidate.keys.get("openlibrary") or "no key", _born(candidate.birth_date)]
    about.append(f"{candidate.work_count or 0} works")
    if candidate.top_work:
        about.append(f"best known for {candidate.top_work}")
    return f"{candidate.name} ({', '.join(a for a in about if a)})"


def _editions_table(editions: Iterable[Edition]) -> Table:
    """One edition a line, in aligned columns even where a value is missing."""
    from rich.table import Table

    table = Table(box=None, show_header=False, padding=(0, 1), pad_edge=False)
    table.add_column(no_wrap=True)  # indent
    for _ in range(5):
        table.add_column(no_wrap=True)
    table.add_column(overflow="fold", min_width=10)  # publisher: the only one that may wrap
    for edition in editions:
        table.add_row(
            "",
            _show(edition.isbn13 or edition.isbn10 or "-"),
            _show(edition.published or ""),
            _show(edition.language or "--"),
            _show(edition.format or ""),
            _show(f"[{','.join(edition.sources)}]"),
            _show(edition.publisher or ""),
        )
    return table


def _print_completeness(options: Options, completeness: Completeness) -> None:
    verdict = "complete" if completeness.complete else "not known to be complete"
    options.out.print(
        f"completeness: {completeness.score:.2f} ({verdict}); "
        f"OpenLibrary lists {completeness.expected if completeness.expected is not None else '?'}"
        f" works, {completeness.found} fetched"
    )
    parts = completeness.evidence.get("parts")
    if isinstance(parts, Mapping) and parts:
        options.out.print("  " + ", ".join(f"{k}={v}" for k, v in parts.items()), style="dim")


def _print_stats(options: Options, stats: Stats) -> None:
    from rich.table import Table

    table = Table(title="run figures (latency in ms)")
    for column in STATS_COLUMNS:
        table.add_column(column, no_wrap=True)
    for row in stats_rows(stats):
        table.add_row(*row)
    console = options.err
    if not console.is_terminal:
        console = _console(file=sys.stderr, width=_STATS_WIDTH)
    console.print(table)
    if stats.cache:
        cache = Table(title="cache")
        for column in CACHE_COLUMNS:
            cache.add_column(column)
        for row in cache_rows(stats):
            cache.add_row(*row)
        console.print(cache)


_STATS_WIDTH = 120


# -- commands ----------------------------------------------------------------------------------


_EPILOG = """\b
Exit codes: 0 an answer (also when some providers failed: see the report),
1 every provider that answered had nothing, 2 bad usage or invalid input
(nothing sent upstream), 3 no provider could answer.
\b
Settings come from BOOKSTRACKER_* environment variables (API keys, URLs,
rates, cache folder, Redis): see docs/configuration.md."""


class _OptionSpec(TypedDict, total=False):
    is_flag: bool
    count: bool
    metavar: str
    help: str


_GLOBAL_OPTIONS: tuple[tuple[tuple[str, ...], _OptionSpec], ...] = (
    (("--json", "as_json"), {"is_flag": True, "help": "One JSON document on stdout."}),
    (("--offline",), {"is_flag": True, "help": "Answer from the bundled sample catalog."}),
    (
        ("--providers",),
        {"metavar": "LIST", "help": "openlibrary,googlebooks,isbndb (default all)."},
    ),
    (("--no-cache",), {"is_flag": True, "help": "Neither read nor write the cache."}),
    (("--cache-dir",), {"metavar": "DIR", "help": "Folder of the disk cache tier."}),
    (("--stats",), {"is_flag": True, "help": "Print the run's figures after the command."}),
    (("-v", "--verbose"), {"count": True, "help": "Logs on stderr (-vv for debug)."}),
)
_GLOBAL_NAMES = frozenset(
    click.Option(list(decls), **kwargs).name for decls, kwargs in _GLOBAL_OPTIONS
)


def _global_options(function: F) -> F:
    for decls, kwargs in reversed(_GLOBAL_OPTIONS):
        function = click.option(*decls, **kwargs)(function)
    return function


def _remember_global(ctx: click.Context, param: click.Parameter, value: object) -> None:
    options = ctx.find_object(Options)
    if options is not None and param.name is not None:
        options.update(param.name, value)


class _Command(click.Command):
    """A command that also takes the global options after its name (``author X --offline``)
    and lists them in its ``--help`` under their own heading."""

    def invoke(self, ctx: click.Context) -> object:
        options = ctx.find_object(Options)
        if options is not None:
            options.apply()
        return super().invoke(ctx)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        own: list[tuple[str, str]] = []
        shared: list[tuple[str, str]] = []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx) if isinstance(param, click.Option) else None
            if record is not None:
                (shared if param.name in _GLOBAL_NAMES else own).append(record)
        if own:
            with formatter.section("Options"):
                formatter.write_dl(own)
        if shared:
            with formatter.section("Global options (before or after the command)"):
                formatter.write_dl(shared)


class _Group(click.Group):
    """A group whose commands and subgroups take the global options too, also those defined
    elsewhere and added with ``add_command`` or named in ``lazy_commands`` (``module:name``,
    imported when the command is first looked up: ``serve``, ``mirror``)."""

    command_class = _Command
    lazy_commands: Mapping[str, str] = {}

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        _take_global_options(cmd)
        super().add_command(cmd, name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            module, _, name = self.lazy_commands[cmd_name].partition(":")
            command = getattr(importlib.import_module(module), name)
            if not isinstance(command, click.Command):
                raise TypeError(f"{self.lazy_commands[cmd_name]} is not a click command")
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


def _global_params(command: click.Command) -> list[click.Option]:
    """The global options as parameters of ``command`` (any it already spells are left out)."""
    taken = {o for p in command.params for o in getattr(p, "opts", ())}
    return [
        click.Option(
            list(decls),
            expose_value=False,
            callback=_remember_global,
            default=0 if extra.get("count") else None,
            **extra,
        )
        for decls, extra in _GLOBAL_OPTIONS
        if not taken.intersection(d for d in decls if d.startswith("-"))
    ]


def _take_global_options(command: click.Command) -> None:
    """Give a command (and each command of a group) the global options; one made elsewhere
    also applies them before it runs, as `_Command.invoke` does."""
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _take_global_options(sub)
        return
    if any(p.callback is _remember_global for p in command.params):
        return
    if isinstance(command, _Command):
        command.params.extend(_global_params(command))
    elif command.callback is not None:
        command.params.extend(_global_params(command))
        command.callback = _applying_options(command.callback)


def _applying_options(original: Callable[P, R]) -> Callable[P, R]:
    @functools.wraps(original)
    def apply_then_run(*args: P.args, **kwargs: P.kwargs) -> R:
        options = click.get_current_context().find_object(Options)
        if options is not None:
            options.apply()
        return original(*args, **kwargs)

    return apply_then_run


_Group.group_class = _Group


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=_EPILOG)
@_global_options
@click.version_option(package_name="bookstracker", prog_name="bookstracker")
@click.pass_context
def cli(
    ctx: click.Context,
    /,
    *,
    as_json: bool,
    offline: bool,
    providers: str | None,
    no_cache: bool,
    cache_dir: str | None,
    stats: bool,
    verbose: int,
) -> None:
    """What has this author written, and which editions exist?

    The global options go before or after the command: ``bookstracker --offline author X``
    and ``bookstracker author X --offline`` are the same.
    """
    _quiet_stamina_log()
    options = Options(
        as_json=as_json,
        offline=offline,
        providers=providers,
        no_cache=no_cache,
        cache_dir=cache_dir,
        stats=stats,
        verbose=verbose,
    )
    options.apply()
    ctx.obj = options


def _quiet_stamina_log() -> None:
    """bookstracker logs each retry as one ``retry`` event line (with ``-v``); stamina's own
    record of the same retry (a bare ``stamina.retry_scheduled``) is kept off stderr."""
    stamina_log = logging.getLogger("stamina")
    stamina_log.propagate = False
    if not any(isinstance(h, logging.NullHandler) for h in stamina_log.handlers):
        stamina_log.addHandler(logging.NullHandler())


def _log_to_stderr(level: int) -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)


@cli.command()
@click.argument("query")
@click.option("--limit", type=click.IntRange(1, 100), default=20, show_default=True)
@click.pass_obj
def search(options: Options, query: str, limit: int) -> None:
    """Merged hits from every enabled provider."""
    _run(options, lambda c: c.search(query, limit=limit), _render_search)


@cli.command()
@click.argument("isbns", nargs=-1, required=True)
@click.pass_obj
def isbn(options: Options, isbns: tuple[str, ...]) -> None:
    """One edition per ISBN (ISBN-10 or ISBN-13, hyphens allowed)."""
    from bookstracker.isbn import isbn_pair

    for value in isbns:
        try:
            isbn_pair(value)
        except InvalidInput as exc:
            _fail(str(exc), EXIT_USAGE)
    _run(options, lambda c: c.isbns(isbns), _render_isbns)


@cli.command()
@click.argument("name")
@click.pass_obj
def author(options: Options, name: str) -> None:
    """The enhanced bibliography of NAME (or an OpenLibrary author key)."""
    _run(options, lambda c: c.author(name), _render_author)


@cli.command()
@click.pass_obj
def authors(options: Options) -> None:
    """The authors of the sample catalog that --offline answers from."""
    if not options.offline:
        _fail(
            "authors lists the bundled sample catalog's authors, the ones --offline knows: "
            "bookstracker --offline authors",
            EXIT_USAGE,
        )
    from bookstracker.testing.directory import catalog_authors

    entries = catalog_authors()
    if options.json:
        document = {"authors": [e.to_dict() for e in entries], "providers": _not_asked()}
        click.echo(_json_text(document))
        sys.exit(EXIT_OK)
    table = _results_table(f"The sample catalog's authors ({len(entries)})")
    for column in ("name", "key", "born", "works"):
        _add_column(table, column)
    for entry in entries:
        born = "" if entry.birth_year is None else str(entry.birth_year)
        table.add_row(_show(entry.name), entry.key, born, str(entry.works))
    options.out.print(table)
    sys.exit(EXIT_OK)


@cli.command()
@click.argument("name")
@click.pass_obj
def completeness(options: Options, name: str) -> None:
    """The completeness score of NAME's bibliography and its evidence."""

    def render(opts: Options, value: Completeness) -> Rendered:
        if not opts.json:
            _print_completeness(opts, value)
        return value.to_dict(), EXIT_OK

    _run(options, lambda c: c.completeness(name), render)


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--popular", is_flag=True, help="The bundled list of popular authors.")
@click.option(
    "--csv", "csv_path", metavar="FILE", help="A Goodreads/StoryGraph/LibraryThing export."
)
@click.option("--concurrency", type=click.IntRange(1, 32), default=4, show_default=True)
@click.option(
    "--no-resume", is_flag=True, help="Ignore the progress of an earlier, unfinished run."
)
@click.pass_obj
def warm(
    options: Options,
    names: tuple[str, ...],
    popular: bool,
    csv_path: str | None,
    concurrency: int,
    no_resume: bool,
) -> None:
    """Fill the cache for many authors (progress on stderr; resumable; not with --no-cache).

    On a terminal, stderr shows a progress bar with an ETA; otherwise a plain progress line
    every few seconds.
    """
    if not names and not popular and not csv_path:
        _fail("warm needs --popular, --csv FILE or author names", EXIT_USAGE)
    if options.no_cache:
        _fail(
            "warm fills the cache, and --no-cache turns it off: nothing would be kept", EXIT_USAGE
        )
    if csv_path and not Path(csv_path).is_file():
        _fail(f"no such file: {csv_path}", EXIT_USAGE)
    display = _WarmBar(options.err) if options.err.is_terminal else _WarmLines()

    async def action(client: AsyncBooksClient) -> WarmReport:
        with display:
            return await client.warm(
                list(names),
                popular=popular,
                csv=csv_path,
                concurrency=concurrency,
                progress=display.update,
                resume=not no_resume,
            )

    def render(opts: Options, report: WarmReport) -> Rendered:
        if not opts.json:
            opts.out.print(
                f"{report.authors} authors: {len(report.warmed)} warmed, "
                f"{len(report.skipped)} skipped (fresh or done), {len(report.failed)} failed, "
                f"{len(report.rejected_rows)} rejected rows, in {report.elapsed_s:.1f} s",
                soft_wrap=True,
            )
            requests = ", ".join(f"{k} {v}" for k, v in report.requests.items())
            opts.out.print(f"requests: {requests}", style="dim", soft_wrap=True)
            for failure in report.failed:
                click.echo(f"failed: {failure.name}: {failure.error}", err=True)
            for row in report.rejected_rows[:_SHOWN_REJECTED]:
                click.echo(f"rejected row, line {row.line}: {row.reason}", err=True)
            hidden = len(report.rejected_rows) - _SHOWN_REJECTED
            if hidden > 0:
                click.echo(f"... and {hidden} more rejected rows (--json lists them all)", err=True)
        code = (
            EXIT_OK
            if len(report.failed) < report.authors or not report.authors
            else EXIT_UNAVAILABLE
        )
        return report.to_dict(), code

    _run(options, action, render)


_SHOWN_REJECTED = 20


def _warm_line(state: WarmProgress) -> str:
    share = f" ({state.done / state.total:.0%})" if state.total else ""
    eta = state.eta_s
    text = (
        f"warm: {state.done}/{state.total}{share}, {state.warmed} warmed, "
        f"{state.skipped} skipped, {state.failed} failed, {state.elapsed_s:.1f} s elapsed"
    )
    if state.finished:
        return text + ", finished"
    return text + (f", eta {eta:.0f} s" if eta is not None else ", eta unknown")


class _WarmLines:
    """Warm progress for a stderr that is not a terminal: a plain line when the run starts,
    at most one every ``interval`` seconds while it runs, and one when it ends."""

    def __init__(self, interval: float = 2.0) -> None:
        self.interval = interval
        self._last: float | None = None

    def __enter__(self) -> _WarmLines:
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def update(self, state: WarmProgress) -> None:
        now = time.monotonic()
        if not (state.finished or self._last is None or now - self._last >= self.interval):
            return
        self._last = now
        click.echo(_warm_line(state), err=True)


class _WarmBar:
    """Warm progress on a terminal: a rich progress bar with counts and an ETA."""

    def __init__(self, console: Console) -> None:
        from rich.progress import (  # only a warm run on a terminal draws a bar
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._task = self._progress.add_task("warming", total=None, counts="")

    def __enter__(self) -> _WarmBar:
        self._progress.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._progress.stop()

    def update(self, state: WarmProgress) -> None:
        self._progress.update(
            self._task,
            total=state.total,
            completed=state.done,
            description="warmed" if state.finished else "warming",
            counts=f"{state.warmed} warmed · {state.skipped} skipped · {state.failed} failed",
        )


@cli.group()
def cache() -> None:
    """The cache tiers: figures, or empty them."""


@cache.command("stats")
@click.pass_obj
def cache_stats(options: Options) -> None:
    """Hits, misses, entries and bytes per tier."""

    async def action(client: AsyncBooksClient) -> Stats:
        return await client.stats()

    def render(opts: Options, stats: Stats) -> Rendered:
        if not opts.json:
            from rich.table import Table

            table = Table(title="cache")
            for column in ("tier", "hits", "misses", "entries", "bytes"):
                table.add_column(column)
            for tier, data in stats.cache.items():
                table.add_row(
                    tier,
                    str(data.hits),
                    str(data.misses),
                    str(data.entries),
                    str(data.bytes),
                )
            opts.out.print(table if stats.cache else "the cache is off")
        return {"cache": stats.contract_dict()["cache"], "providers": _not_asked()}, EXIT_OK

    _run(options, action, render)


@cache.command("clear")
@click.pass_obj
def cache_clear(options: Options) -> None:
    """Empty every tier (only bookstracker's own entries; with --offline, only the
    sample catalog's answers)."""

    async def action(client: AsyncBooksClient) -> bool:
        await client.clear_cache()
        return client.cache is not None

    def render(opts: Options, cleared: bool) -> Rendered:
        if not opts.json:
            done = "cache cleared"
            if opts.offline:
                done = "offline answers cleared (the real providers' answers are kept)"
            opts.out.print(done if cleared else "the cache is off")
        return {"cleared": cleared, "providers": _not_asked()}, EXIT_OK

    _run(options, action, render)


def _not_asked() -> dict[str, JSONDict]:
    """The ``providers`` object of a document for which no provider was asked."""
    return reports_to_dict({p: ProviderReport(provider=p, status="skipped") for p in PROVIDERS})


cli.lazy_commands = {
    "mirror": "bookstracker.mirror._cli:mirror",
    "serve": "bookstracker.web._cli:serve",
}


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``bookstracker`` script."""
    if argv is None and hasattr(signal, "SIGPIPE"):
        # `bookstracker ... | head`: end quietly as Unix tools do (status 141), rather than
        # exit 1, which means "nothing found". Only for the real command: not when embedded.
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        for argument in sys.argv[1:] if argv is None else argv:
            cli_argument(argument, what="a command-line argument")
    except InvalidInput as exc:
        _fail(str(exc), EXIT_USAGE)
    try:
        cli.main(args=argv, prog_name="bookstracker", standalone_mode=False)
    except click.UsageError as exc:
        _fail(exc.format_message(), EXIT_USAGE)
    except click.Abort:
        _fail("aborted", 130)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
