"""Routes: (method, path pattern) → the SP-API operation and its handler.

The Host header is never looked at: python-amazon-sp-api sends a mangled one when the endpoint
is ``http://``. Paths follow Amazon's models (amzn/selling-partner-api-models).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from asin_tui.sandbox.http.wire import Request, SandboxResponse

Handler = Callable[[Request, dict[str, str]], SandboxResponse]
#: (method, path with "{name}" placeholders, operation name or None for public routes, handler)
RouteSpec = tuple[str, str, str | None, Handler]


@dataclass(frozen=True, slots=True)
class Route:
    method: str
    pattern: tuple[str, ...]  # literal segments and "{name}" placeholders
    operation: str | None  # None: public (LWA, presigned downloads): no SP-API auth, no quota
    handler: Handler

    def match(self, method: str, segments: tuple[str, ...]) -> dict[str, str] | None:
        if method != self.method or len(segments) != len(self.pattern):
            return None
        params: dict[str, str] = {}
        for part, segment in zip(self.pattern, segments, strict=True):
            if part.startswith("{"):
                if not segment:
                    return None
                params[part[1:-1]] = segment
            elif part != segment:
                return None
        return params


class Router:
    """The first route that matches a request's method and path segments."""

    def __init__(self, specs: Iterable[RouteSpec]) -> None:
        self.routes = tuple(
            Route(method, tuple(path.split("/")[1:]), operation, handler)
            for method, path, operation, handler in specs
        )

    def find(self, method: str, segments: tuple[str, ...]) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            params = route.match(method, segments)
            if params is not None:
                return route, params
        return None

    @property
    def operations(self) -> frozenset[str]:
        """Every SP-API operation routed (public routes excluded)."""
        return frozenset(r.operation for r in self.routes if r.operation is not None)
