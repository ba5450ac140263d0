"""Settings, resolved once: constructor arguments first, then the ``BOOKSTRACKER_*`` environment
variables, then defaults.

:class:`Settings` is made at the edge (the client, the CLI) and handed down; each adapter gets
its typed :class:`ProviderConfig`. Nothing below reads the environment itself.
``UNSET`` means "not given: read the environment"; ``None`` means "given, and off".
"""

from __future__ import annotations

import enum
import math
import os
from collections.abc import Iterable, Mapping, Sequence
from importlib.metadata import PackageNotFoundError, version
from types import MappingProxyType
from typing import Final, TypeVar

import attrs

from bookstracker.errors import ConfigurationError
from bookstracker.models import PROVIDERS
from bookstracker.pins import WorkPins

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_REDIS_PREFIX",
    "DEFAULT_TIMEOUT",
    "ENV",
    "UNSET",
    "ISBNdbConfig",
    "ProviderConfig",
    "Settings",
    "Unset",
    "default_user_agent",
    "env_flag",
    "env_float",
    "env_str",
    "package_version",
    "parse_providers",
    "positive_rate",
    "provider_config",
]


class Unset(enum.Enum):
    """The type of :data:`UNSET`."""

    UNSET = "UNSET"

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = Unset.UNSET
T = TypeVar("T")
_Config = TypeVar("_Config", bound="ProviderConfig")

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_CONNECTIONS = 100
"""Connections per provider and event loop (kept alive as many): enough for 100 concurrent calls,
which the rate limits, not the pool, then pace."""
DEFAULT_DEADLINE = 60.0
DEFAULT_REDIS_PREFIX = "bookstracker:"


class ENV:
    """The environment variables bookstracker reads (docs/configuration.md)."""

    OPENLIBRARY_URL = "BOOKSTRACKER_OPENLIBRARY_URL"
    GOOGLEBOOKS_URL = "BOOKSTRACKER_GOOGLEBOOKS_URL"
    GOOGLEBOOKS_API_KEY = "BOOKSTRACKER_GOOGLEBOOKS_API_KEY"
    ISBNDB_URL = "BOOKSTRACKER_ISBNDB_URL"
    ISBNDB_API_KEY = "BOOKSTRACKER_ISBNDB_API_KEY"
    OPENLIBRARY_RATE = "BOOKSTRACKER_OPENLIBRARY_RATE"
    GOOGLEBOOKS_RATE = "BOOKSTRACKER_GOOGLEBOOKS_RATE"
    ISBNDB_RATE = "BOOKSTRACKER_ISBNDB_RATE"
    TIMEOUT = "BOOKSTRACKER_TIMEOUT"
    CACHE_DIR = "BOOKSTRACKER_CACHE_DIR"
    REDIS_URL = "BOOKSTRACKER_REDIS_URL"
    USER_AGENT = "BOOKSTRACKER_USER_AGENT"
    OFFLINE = "BOOKSTRACKER_OFFLINE"
    ISBNDB_PLAN = "BOOKSTRACKER_ISBNDB_PLAN"
    CONTACT = "BOOKSTRACKER_CONTACT"
    PIN_IN = "BOOKSTRACKER_PIN_IN"
    PIN_OUT = "BOOKSTRACKER_PIN_OUT"
    OPENLIBRARY_SOURCE = "BOOKSTRACKER_OPENLIBRARY_SOURCE"
    MIRROR_URL = "BOOKSTRACKER_MIRROR_URL"

    @staticmethod
    def url(provider: str) -> str:
        """``BOOKSTRACKER_<PROVIDER>_URL``."""
        return f"BOOKSTRACKER_{provider.upper()}_URL"

    @staticmethod
    def api_key(provider: str) -> str:
        """``BOOKSTRACKER_<PROVIDER>_API_KEY``."""
        return f"BOOKSTRACKER_{provider.upper()}_API_KEY"

    @staticmethod
    def rate(provider: str) -> str:
        """``BOOKSTRACKER_<PROVIDER>_RATE``."""
        return f"BOOKSTRACKER_{provider.upper()}_RATE"


def package_version() -> str:
    try:
        return version("bookstracker")
    except PackageNotFoundError:  # running from a source tree
        return "0.0.0+source"


def env_str(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The variable's value, stripped; None when unset or blank."""
    value = (os.environ if environ is None else environ).get(name, "").strip()
    return value or None


def env_float(name: str, environ: Mapping[str, str] | None = None) -> float | None:
    text = env_str(name, environ)
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise ConfigurationError(f"{name} must be a number, got {text!r}") from None
    if math.isnan(value):
        raise ConfigurationError(f"{name} must be a number, got {text!r}")
    return value


def env_flag(name: str, environ: Mapping[str, str] | None = None) -> bool:
    return (env_str(name, environ) or "").lower() in {"1", "true", "yes", "on"}


def positive_rate(value: float, what: str) -> float:
    """Validate a requests-per-second ceiling."""
    if not value > 0:
        raise ConfigurationError(f"{what} must be a positive number of requests per second")
    return value


def _positive_timeout(value: float, what: str) -> float:
    if not value > 0:
        raise ConfigurationError(f"{what} must be positive seconds")
    return float(value)


def parse_providers(
    value: str | Iterable[str] | None, *, known: Sequence[str] = PROVIDERS
) -> tuple[str, ...]:
    """Provider names from ``"openlibrary,isbndb"`` or an iterable, in ``known``'s order;
    the three built-in ones when None."""
    if value is None:
        return PROVIDERS
    items = value.split(",") if isinstance(value, str) else list(value)
    names = [item.strip().lower() for item in items if item.strip()]
    unknown = sorted(set(names) - set(known))
    if unknown:
        raise ConfigurationError(
            f"unknown provider {', '.join(unknown)}; choose from {', '.join(known)}"
        )
    if not names:
        raise ConfigurationError("no provider named")
    return tuple(p for p in known if p in names)


def default_user_agent(contact: str | None = None) -> str:
    """``bookstracker/<version> (+<contact>)``: a UA that names a way to reach its owner."""
    return (
        f"bookstracker/{package_version()} (+{contact or 'https://pypi.org/project/bookstracker/'})"
    )


@attrs.frozen(kw_only=True)
class ProviderConfig:
    """How to reach one provider; None for a field means "the adapter's default"."""

    base_url: str | None = None
    api_key: str | None = attrs.field(default=None, repr=False)
    rate: float | None = None
    timeout: float = DEFAULT_TIMEOUT
    user_agent: str = attrs.field(factory=default_user_agent)
    user_agent_given: bool = False
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    source: str = "api"
    """Where the answers come from: ``api``, or another source registered for the provider
    (OpenLibrary: ``mirror``, ``mirror-first``)."""
    source_url: str | None = attrs.field(default=None, repr=False)
    """That source's address (a dump mirror's URL, which may hold a password)."""

    def __attrs_post_init__(self) -> None:
        if self.rate is not None:
            positive_rate(self.rate, "rate")
        if isinstance(self.max_connections, bool) or not 1 <= self.max_connections <= 10_000:
            raise ConfigurationError(
                f"max_connections must be 1 to 10,000, not {self.max_connections!r}"
            )
        _positive_timeout(self.timeout, "timeout")
        if self.base_url is not None and not self.base_url.startswith(("http://", "https://")):
            raise ConfigurationError(f"base URL must be http(s): {self.base_url!r}")

    def with_overrides(
        self: _Config,
        *,
        base_url: str | Unset = UNSET,
        api_key: str | Unset | None = UNSET,
        rate: float | Unset = UNSET,
        timeout: float | Unset = UNSET,
        user_agent: str | Unset = UNSET,
    ) -> _Config:
        """A copy with every argument given in place of the field."""
        config = self
        if not isinstance(base_url, Unset):
            config = attrs.evolve(config, base_url=base_url.rstrip("/"))
        if not isinstance(api_key, Unset):
            config = attrs.evolve(config, api_key=api_key or None)
        if not isinstance(rate, Unset):
            config = attrs.evolve(config, rate=float(rate))
        if not isinstance(timeout, Unset):
            config = attrs.evolve(config, timeout=float(timeout))
        if not isinstance(user_agent, Unset):
            config = attrs.evolve(config, user_agent=user_agent, user_agent_given=True)
        return config

    @classmethod
    def own_fields(
        cls, *, plan: str | Unset | None = UNSET, environ: Mapping[str, str] | None = None
    ) -> dict[str, object]:
        """The values of the fields a provider's config adds (resolved like the others)."""
        return {}


@attrs.frozen(kw_only=True)
class ISBNdbConfig(ProviderConfig):
    """ISBNdb's settings: the plan (host, rate, batch size) besides the common ones."""

    plan: str | None = None

    @classmethod
    def own_fields(
        cls, *, plan: str | Unset | None = UNSET, environ: Mapping[str, str] | None = None
    ) -> dict[str, object]:
        return {"plan": env_str(ENV.ISBNDB_PLAN, environ) if isinstance(plan, Unset) else plan}


_CONFIG_TYPES: Mapping[str, type[ProviderConfig]] = {"isbndb": ISBNdbConfig}
"""The providers whose config has fields of its own."""


def provider_config(
    provider: str,
    *,
    base_url: str | Unset = UNSET,
    api_key: str | Unset | None = UNSET,
    rate: float | Unset = UNSET,
    timeout: float | Unset = UNSET,
    user_agent: str | Unset = UNSET,
    plan: str | Unset | None = UNSET,
    environ: Mapping[str, str] | None = None,
) -> ProviderConfig:
    """The provider's config: each argument given, else its environment variable, else default.

    ``environ`` defaults to ``os.environ``. ``plan`` is read for ISBNdb only.
    """
    url = env_str(ENV.url(provider), environ) if isinstance(base_url, Unset) else base_url
    key = env_str(ENV.api_key(provider), environ) if isinstance(api_key, Unset) else api_key
    given_rate = env_float(ENV.rate(provider), environ) if isinstance(rate, Unset) else rate
    if isinstance(timeout, Unset):
        env_timeout = env_float(ENV.TIMEOUT, environ)
        timeout = DEFAULT_TIMEOUT if env_timeout is None else env_timeout
    agent = env_str(ENV.USER_AGENT, environ) if isinstance(user_agent, Unset) else user_agent
    if not agent:
        agent = default_user_agent(env_str(ENV.CONTACT, environ))
        given_agent = False
    else:
        given_agent = True
    common = {
        "base_url": url.rstrip("/") if url else None,
        "api_key": key or None,
        "rate": None if given_rate is None else float(given_rate),
        "timeout": _positive_timeout(float(timeout), f"{provider} timeout"),
        "user_agent": agent,
        "user_agent_given": given_agent,
    }
    config_type = _CONFIG_TYPES.get(provider, ProviderConfig)
    try:
        own = config_type.own_fields(plan=plan, environ=environ)
        return config_type(**common, **own)  # type: ignore[arg-type]
    except ConfigurationError as exc:
        raise ConfigurationError(f"{provider}: {exc}") from None


_REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def _checked_redis_url(url: str | None) -> str | None:
    """``url`` when it names a Redis server; the message never repeats it (it may hold a
    password)."""
    if url is None or url.lower().startswith(_REDIS_SCHEMES):
        return url
    raise ConfigurationError(
        f"{ENV.REDIS_URL} (or redis_url=) must be a redis://, rediss:// or unix:// URL"
    )


def _frozen_configs(value: Mapping[str, ProviderConfig]) -> Mapping[str, ProviderConfig]:
    return MappingProxyType(dict(value))


OPENLIBRARY_SOURCES: Final = ("api", "mirror", "mirror-first")
"""Where OpenLibrary's answers come from: its API, a dump mirror, or the mirror then the API."""


def parse_openlibrary_source(value: str | None) -> str:
    """``api`` (also for None or ""), ``mirror`` or ``mirror-first``; `ConfigurationError`
    for anything else."""
    text = (value or "api").strip().lower()
    if text not in OPENLIBRARY_SOURCES:
        raise ConfigurationError(
            f"unknown OpenLibrary source {value!r}: choose api, mirror or mirror-first"
        )
    return text


@attrs.frozen(kw_only=True)
class Settings:
    """Everything a client needs to know, resolved once (see :meth:`resolve`).

    Offline, ``redis_url`` is always None: offline mode never touches Redis.
    """

    providers: tuple[str, ...] = PROVIDERS
    offline: bool = False
    cache_dir: str | None = None
    redis_url: str | None = attrs.field(default=None, repr=False)
    redis_prefix: str = DEFAULT_REDIS_PREFIX
    deadline: float | None = DEFAULT_DEADLINE
    provider_configs: Mapping[str, ProviderConfig] = attrs.field(
        factory=dict, converter=_frozen_configs
    )
    pins: WorkPins = attrs.field(factory=WorkPins)
    """Works kept in or left out of every bibliography by key, over the core-works filter."""
    openlibrary_source: str = "api"
    """``api``, ``mirror`` or ``mirror-first`` (see docs/mirror.md)."""
    mirror_url: str | None = attrs.field(default=None, repr=False)
    """The dump mirror's ``sqlite:///…`` or ``postgresql://…`` URL; None: the default file."""

    def provider(self, name: str) -> ProviderConfig:
        """The named provider's config (the defaults when none was resolved), with the source
        its answers come from."""
        found = self.provider_configs.get(name) or _CONFIG_TYPES.get(name, ProviderConfig)()
        source = self._sources().get(name)
        if source is None:
            return found
        return attrs.evolve(found, source=source[0], source_url=source[1])

    def _sources(self) -> Mapping[str, tuple[str, str | None]]:
        """The providers whose settings name another source than their API (none offline:
        the sample catalog answers, whatever the source)."""
        if self.offline or self.openlibrary_source == "api":
            return {}
        return {"openlibrary": (self.openlibrary_source, self.mirror_url)}

    @classmethod
    def resolve(
        cls,
        *,
        providers: str | Iterable[str] | None = None,
        offline: bool | Unset = UNSET,
        cache_dir: str | os.PathLike[str] | Unset | None = UNSET,
        redis_url: str | Unset | None = UNSET,
        redis_prefix: str = DEFAULT_REDIS_PREFIX,
        timeout: float | Unset = UNSET,
        deadline: float | None = DEFAULT_DEADLINE,
        environ: Mapping[str, str] | None = None,
        known: Sequence[str] = PROVIDERS,
        pins: WorkPins | Unset | None = UNSET,
        openlibrary_source: str | Unset = UNSET,
        mirror_url: str | Unset | None = UNSET,
    ) -> Settings:
        """Settings from the arguments given, then the environment (``environ`` or
        ``os.environ``), then the defaults. ``known`` are the provider names that may be
        chosen (the registry's). Raises ``ConfigurationError`` for a bad value."""
        if not redis_prefix:
            raise ConfigurationError("redis_prefix must not be empty")
        if deadline is not None and not deadline > 0:
            raise ConfigurationError("deadline must be positive seconds (or None)")
        names = parse_providers(providers, known=known)
        if isinstance(cache_dir, Unset):
            directory = env_str(ENV.CACHE_DIR, environ)
        else:
            directory = os.fspath(cache_dir) if cache_dir is not None else None
        offline = env_flag(ENV.OFFLINE, environ) if isinstance(offline, Unset) else offline
        if isinstance(redis_url, Unset):
            redis_url = env_str(ENV.REDIS_URL, environ)
        return cls(
            providers=names,
            offline=offline,
            cache_dir=directory,
            redis_url=None if offline else _checked_redis_url(redis_url),
            redis_prefix=redis_prefix,
            deadline=deadline,
            provider_configs={
                name: provider_config(name, timeout=timeout, environ=environ) for name in names
            },
            pins=WorkPins.parse(
                env_str(ENV.PIN_IN, environ) or "", env_str(ENV.PIN_OUT, environ) or ""
            )
            if isinstance(pins, Unset)
            else pins or WorkPins(),
            openlibrary_source=parse_openlibrary_source(
                env_str(ENV.OPENLIBRARY_SOURCE, environ)
                if isinstance(openlibrary_source, Unset)
                else openlibrary_source
            ),
            mirror_url=env_str(ENV.MIRROR_URL, environ)
            if isinstance(mirror_url, Unset)
            else mirror_url,
        )
