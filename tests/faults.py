"""A transport around a real server app that injects network faults on chosen requests."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx

#: Forward the request (the server acts on it), then lose the answer.
DROP_AFTER = "drop-after"
#: Lose the connection while sending: the server never sees the request.
DROP_BEFORE = "drop-before"


@dataclass(frozen=True)
class Seen:
    method: str
    url: str
    headers: httpx.Headers


@dataclass
class Scripted(httpx.AsyncBaseTransport):
    """``inner`` (e.g. the demo app's ASGI transport), with ``script[(method, path)]`` faults
    used up one per matching request: :data:`DROP_AFTER`, :data:`DROP_BEFORE`, or a status
    with headers."""

    inner: httpx.AsyncBaseTransport
    script: dict[tuple[str, str], list[str | tuple[int, dict[str, str]]]] = field(
        default_factory=dict
    )
    seen: list[Seen] = field(default_factory=list)

    def count(self, method: str, path: str) -> int:
        return sum(1 for s in self.seen if s.method == method and httpx.URL(s.url).path == path)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(Seen(request.method, str(request.url), request.headers))
        queue = self.script.get((request.method, request.url.path)) or []
        action = queue.pop(0) if queue else None
        if action == DROP_BEFORE:
            raise httpx.WriteError("connection reset while sending")
        if isinstance(action, tuple):
            return httpx.Response(action[0], headers=action[1], json={"detail": "injected"})
        response = await self.inner.handle_async_request(request)
        if action == DROP_AFTER:
            await response.aread()
            raise httpx.ReadError("connection reset before the answer")
        return response
