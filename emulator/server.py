"""The aiohttp application: routing, the request log, auth, faults, rate limits, errors.

Route handlers (in `routes/`) are `async def handler(req: ApiRequest) -> object` registered
on a `RouteTable` with discord.py's own path templates, so the request log counts calls
under the same names discord.py uses (`POST /channels/{channel_id}/messages`). A handler
returns JSON-able data (200), `Reply(data, status)`, or None (204), and raises `ApiError`
for Discord's error answers. Every JSON response has Content-Type exactly
`application/json` (pitfall 1). Unknown routes answer 404 `{"message": "404: Not Found",
"code": 0}`, are logged at WARNING and kept in `unknown_routes`, so gaps are loud.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from emulator import openapi
from emulator.dispatch import Dispatcher
from emulator.errors import ApiError
from emulator.faults import NO_RESPONSE, Faults
from emulator.ratelimit import RateLimiter, too_many_body
from emulator.state import World

log = logging.getLogger(__name__)

API_PREFIX = "/api/v10"
_ID_PARAM = re.compile(r"\{(\w+_id|target)\}")


@dataclass
class Config:
    interaction_deadline: float = 3.0
    """Seconds the bot has for its first response to an interaction (Discord: 3)."""
    token_lifetime: float = 15 * 60.0
    """Seconds an interaction token stays valid for followups and edits (Discord: 15 min)."""
    attachment_size_limit: int = 10 * 1024 * 1024
    cdn_base: str = ""
    """Where attachment URLs point (set by the emulator at start)."""
    gateway_url: str = ""
    """What GET /gateway answers and READY's resume_gateway_url says (set at start)."""
    recommended_shards: Callable[[], int] = lambda: 1
    """What GET /gateway/bot recommends (the gateway's count, set by the emulator)."""
    max_concurrency: int = 1


@dataclass
class Services:
    world: World
    events: Dispatcher
    config: Config
    bot_token: str
    requests: RequestLog


@dataclass(frozen=True)
class Upload:
    index: int
    filename: str
    data: bytes
    content_type: str | None


@dataclass
class Reply:
    data: Any
    status: int = 200


class ApiRequest:
    """What a route handler sees: ids from the path, the body, and the emulator's services."""

    def __init__(self, request: web.Request, services: Services, route: RouteSpec) -> None:
        self.raw = request
        self.route = route
        self.services = services
        self.world = services.world
        self.events = services.events
        self.config = services.config
        self.match: dict[str, str] = dict(request.match_info)
        self.query = request.query
        self.files: list[Upload] = []

    def id(self, name: str) -> int:
        return int(self.match[name])

    async def body(self, *, schema: str | None = None) -> Any:
        """The JSON body, or `payload_json` of a multipart body (files go to `self.files`),
        checked against Discord's OpenAPI schema for the route (400 50035 if it breaks it).
        `schema` names the component to use instead, when the route knows which branch of a
        union applies (a thread's PATCH /channels/{id} is not a text channel's)."""
        payload = await self._parse()
        openapi.check_body(self.route.method, self.route.path, payload, schema=schema)
        return payload

    async def _parse(self) -> Any:
        request = self.raw
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            payload: Any = {}
            for name, value in form.items():
                if name == "payload_json":
                    text = value if isinstance(value, str) else bytes(value).decode()  # type: ignore[arg-type]
                    payload = _json(text)
                elif isinstance(value, web.FileField):
                    index = int(re.sub(r"\D", "", name) or len(self.files))
                    self.files.append(
                        Upload(index, value.filename, value.file.read(), value.content_type)
                    )
            return payload
        if not request.can_read_body:
            return {}
        text = await request.text()
        return _json(text) if text else {}


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as error:
        raise ApiError(400, 50109, "The request body contains invalid JSON.") from error


Handler = Callable[[ApiRequest], Awaitable[Any]]


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str
    handler: Handler
    auth: bool


class RouteTable:
    """Collects `@routes("POST", "/channels/{channel_id}/messages")` handlers."""

    def __init__(self, *, auth: bool = True) -> None:
        self.auth = auth
        self.specs: list[RouteSpec] = []

    def __call__(self, method: str, path: str) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.specs.append(RouteSpec(method, path, handler, self.auth))
            return handler

        return register


@dataclass(frozen=True)
class RequestRecord:
    method: str
    route: str
    """The route template, e.g. /channels/{channel_id}/messages."""
    path: str
    status: int
    at: float
    duration: float
    code: int | None = None
    detail: str = ""

    @property
    def key(self) -> str:
        return f"{self.method} {self.route}"


@dataclass
class RequestLog:
    records: list[RequestRecord] = field(default_factory=list)
    unknown_routes: list[str] = field(default_factory=list)

    def count(self, route: str, method: str | None = None, *, status: int | None = None) -> int:
        """Requests to a template; `route` may include the method ("POST /channels/...")."""
        if " " in route:
            method, route = route.split(" ", 1)
        return sum(
            1
            for r in self.records
            if r.route == route
            and (method is None or r.method == method)
            and (status is None or r.status == status)
        )


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON response whose Content-Type is exactly application/json (no charset)."""
    response = web.Response(body=json.dumps(data).encode(), status=status, headers=headers)
    response.content_type = "application/json"
    return response


class Server:
    def __init__(
        self,
        services: Services,
        *,
        limiter: RateLimiter,
        faults: Faults,
        requests: RequestLog,
        gateway_handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
        tables: list[RouteTable],
        cdn_table: RouteTable,
    ) -> None:
        self.services = services
        self.limiter = limiter
        self.faults = faults
        self.requests = requests
        self.app = web.Application(middlewares=[self._middleware], client_max_size=64 * 2**20)
        self.app.router.add_get("/", gateway_handler)
        for table in tables:
            for spec in table.specs:
                self._add(API_PREFIX, spec)
        for spec in cdn_table.specs:
            self._add("", spec)

    def _add(self, prefix: str, spec: RouteSpec) -> None:
        path = _ID_PARAM.sub(lambda m: "{" + m.group(1) + r":\d+}", spec.path)
        handler = self._adapt(spec)
        self.app.router.add_route(spec.method, prefix + path, handler)

    def _adapt(self, spec: RouteSpec) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        services = self.services

        async def handle(request: web.Request) -> web.StreamResponse:
            if spec.auth and request.headers.get("Authorization") != f"Bot {services.bot_token}":
                raise ApiError(401, 0, "401: Unauthorized")
            result = await spec.handler(ApiRequest(request, services, spec))
            if result is None:
                return web.Response(status=204)
            if isinstance(result, web.StreamResponse):
                return result
            if isinstance(result, Reply):
                return json_response(result.data, result.status)
            return json_response(result)

        return handle

    @web.middleware
    async def _middleware(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        started = time.perf_counter()
        method = request.method
        if request.match_info.http_exception is not None:
            self.requests.unknown_routes.append(f"{method} {request.path}")
            log.warning("emulator: unknown route %s %s (not implemented)", method, request.path)
            self._record(request, method, request.path, 404, started, 0, "unknown route")
            return json_response({"message": "404: Not Found", "code": 0}, 404)
        canonical = request.match_info.route.resource.canonical  # type: ignore[union-attr]
        template = canonical.removeprefix(API_PREFIX)
        if canonical == "/":
            return await handler(request)
        headers: dict[str, str] = {}
        response = await self._apply_faults(request, method, template)
        if response is not None and getattr(response, "_emulator_reset", False):
            detail = "connection reset (injected fault)"
            self._record(request, method, template, NO_RESPONSE, started, None, detail)
            return response
        if response is None:
            decision = self.limiter.check(method, template, request.match_info)
            headers = decision.headers
            if not decision.allowed:
                body = too_many_body(decision.retry_after, is_global=decision.is_global)
                response = json_response(body, 429, headers)
        if response is None:
            response = await self._run(request, handler, headers)
        code = getattr(response, "_emulator_code", None)
        detail = getattr(response, "_emulator_detail", "")
        self._record(request, method, template, response.status, started, code, detail)
        return response

    async def _apply_faults(
        self, request: web.Request, method: str, template: str
    ) -> web.Response | None:
        path = request.path.split("/api/v10", 1)[-1]
        faults = self.faults.take(method, template, path)
        for fault in faults:
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
        for fault in faults:
            if fault.kind == "status":
                body = {"message": f"{fault.status}: Injected fault", "code": 0}
                return json_response(body, fault.status)
            if fault.kind == "rate_limit":
                retry = fault.retry_after
                headers = {
                    "Retry-After": str(max(1, int(retry + 0.999))),
                    "Via": "1.1 google",
                    "X-RateLimit-Scope": "global" if fault.is_global else "user",
                }
                if fault.is_global:
                    headers["X-RateLimit-Global"] = "true"
                body = too_many_body(retry, is_global=fault.is_global)
                return json_response(body, 429, headers)
            if fault.kind == "reset":
                return await _reset(request)
        return None

    async def _run(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
        headers: dict[str, str],
    ) -> web.StreamResponse:
        try:
            response = await handler(request)
        except ApiError as error:
            log.info("emulator: %s %s -> %s", request.method, request.path, error)
            response = json_response(error.body(), error.status)
            response._emulator_code = error.code  # type: ignore[attr-defined]
            response._emulator_detail = error.detail  # type: ignore[attr-defined]
        except web.HTTPException:
            raise
        except Exception:
            log.exception("emulator: handler for %s %s crashed", request.method, request.path)
            response = json_response({"message": "500: Internal Server Error", "code": 0}, 500)
        response.headers.update(headers)
        return response

    def _record(
        self,
        request: web.Request,
        method: str,
        template: str,
        status: int,
        started: float,
        code: int | None,
        detail: str,
    ) -> None:
        now = time.perf_counter()
        self.requests.records.append(
            RequestRecord(
                method, template, request.path, status, started, now - started, code, detail
            )
        )
        self.services.world.touch()


async def _reset(request: web.Request) -> web.Response:
    """Close the connection without answering. The body is read first so the close is a plain
    FIN (client: ServerDisconnectedError), not an RST from unread data (ECONNRESET). aiohttp
    then fails to write the returned response and drops it quietly (a "premature client
    disconnection"); raising instead would make it log a 500 at ERROR."""
    await request.read()
    if request.transport is not None:
        request.transport.close()
    response = web.Response(status=204)
    response._emulator_reset = True  # type: ignore[attr-defined]
    return response
