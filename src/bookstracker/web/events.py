"""Server-Sent Events: warming progress, breaker transitions and live figures, to every listener.

Each listener has a bounded buffer; a listener too slow to keep up loses events rather than
holding the server's memory. ``stats`` events come every ``interval`` seconds while anyone
listens; ``breaker`` events when a provider's breaker changes state; ``warm`` events as jobs move.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from bookstracker._json import JSONDict, JSONValue, as_object

__all__ = ["EventBroker", "format_event"]

BUFFER = 256
HEARTBEAT_S = 15.0


def format_event(event: str, data: JSONValue) -> bytes:
    """One SSE message (``event:`` and a one-line ``data:``)."""
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event}\ndata: {payload}\n\n".encode()


class EventBroker:
    """Fans events out to every subscribed listener."""

    def __init__(self) -> None:
        self._listeners: set[MemoryObjectSendStream[bytes]] = set()
        self.dropped = 0

    @property
    def listeners(self) -> int:
        return len(self._listeners)

    def publish(self, event: str, data: JSONValue) -> None:
        """Queue ``event`` for every listener (dropped for one whose buffer is full)."""
        if not self._listeners:
            return
        message = format_event(event, data)
        for stream in list(self._listeners):
            try:
                stream.send_nowait(message)
            except anyio.WouldBlock:
                self.dropped += 1
            except (anyio.BrokenResourceError, anyio.ClosedResourceError):
                self._listeners.discard(stream)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[MemoryObjectReceiveStream[bytes]]:
        send, receive = anyio.create_memory_object_stream[bytes](BUFFER)
        self._listeners.add(send)
        try:
            yield receive
        finally:
            self._listeners.discard(send)
            send.close()
            receive.close()

    async def stream(self, first: list[bytes]) -> AsyncIterator[bytes]:
        """The bytes of an SSE response: ``first``, then every event, with heartbeats."""
        async with self.subscribe() as events:
            yield b"retry: 3000\n\n"
            for message in first:
                yield message
            while True:
                with anyio.move_on_after(HEARTBEAT_S) as idle:
                    message = await events.receive()
                if idle.cancelled_caught:
                    yield b": keep-alive\n\n"
                    continue
                yield message

    async def tick(self, snapshot: Callable[[], Awaitable[JSONDict]], interval: float) -> None:
        """Publish ``stats`` every ``interval`` s while anyone listens, and breaker changes."""
        breakers: dict[str, str] = {}
        while True:
            await anyio.sleep(interval)
            if not self._listeners:
                continue
            figures = await snapshot()
            figures["time"] = round(time.time(), 3)
            self.publish("stats", figures)
            for name, provider in (as_object(figures.get("providers")) or {}).items():
                state = str((as_object(provider) or {}).get("breaker", "closed"))
                previous = breakers.get(name)
                breakers[name] = state
                if previous is not None and previous != state:
                    self.publish(
                        "breaker",
                        {"provider": name, "previous": previous, "state": state},
                    )
