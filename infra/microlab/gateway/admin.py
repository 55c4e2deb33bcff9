"""The admin listener, shaped like Kong's DB-less Admin API where Kong has an equivalent:
GET / and /status, GET /config, POST /config (load a whole new declarative config).
A refused config leaves the running one untouched.

Reading or loading the config needs the lab's admin token (X-Microlab-Admin-Token, from
MICROLAB_ADMIN_TOKEN; see microlab.admintoken); GET / and /status stay open for health
checks. A gateway started without a token (a developer's, a test's) has no lab to protect."""
from __future__ import annotations

import hmac
import json
import os

from aiohttp import web

from microlab import admintoken
from microlab.gateway.exchange import KONG_VERSION, SERVER


STATE = web.AppKey("state", object)


OPEN_PATHS = ("/", "/status")


def make_app(state, token: str | None = None) -> web.Application:
    token = os.environ.get(admintoken.ENV, "") if token is None else token
    middlewares = [_token_guard(token)] if token else []
    app = web.Application(client_max_size=16 * 1024 * 1024, middlewares=middlewares)
    app[STATE] = state
    app.router.add_get("/", root)
    app.router.add_get("/status", status)
    app.router.add_get("/config", get_config)
    app.router.add_post("/config", post_config)
    app.on_response_prepare.append(_server_header)
    return app


def _token_guard(token: str):
    @web.middleware
    async def guard(request: web.Request, handler):
        if request.path in OPEN_PATHS:
            return await handler(request)
        given = request.headers.get(admintoken.HEADER, "")
        if not given:
            return _refused(401, f"admin calls need the lab's token in the {admintoken.HEADER} header "
                                 "(lab.gateway.apply(...) sends it)")
        if not hmac.compare_digest(given.encode(), token.encode()):
            return _refused(403, "wrong admin token: this gateway belongs to another lab")
        return await handler(request)

    return guard


def _refused(status: int, message: str) -> web.Response:
    return web.json_response({"message": message}, status=status, headers={"Server": SERVER})


async def _server_header(request, response) -> None:
    response.headers["Server"] = SERVER


async def root(request: web.Request) -> web.Response:
    return web.json_response({"version": KONG_VERSION, "tagline": "Welcome to kong",
                              "configuration": {"database": "off", "role": "traditional"},
                              "implementation": "microlab embedded gateway"})


async def status(request: web.Request) -> web.Response:
    state = request.app[STATE]
    rt = state.runtime
    return web.json_response({
        "database": {"reachable": True}, "configuration_hash": state.hash,
        "server": {"connections_active": 0},
        "microlab": {"routes": len(rt.routes) if rt else 0, "services": len(rt.services) if rt else 0,
                     "plugins": len(rt.plugins) if rt else 0, "applied_at": state.applied_at},
    })


async def get_config(request: web.Request) -> web.Response:
    rt = request.app[STATE].runtime
    return web.json_response({"config": rt.text if rt else ""})


async def _config_text(request: web.Request) -> str:
    if request.content_type == "application/json":
        data = await request.json()
        config = data.get("config") if isinstance(data, dict) and "config" in data else data
        return config if isinstance(config, str) else json.dumps(config)
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        form = await request.post()
        field = form.get("config")
        return field.file.read().decode() if hasattr(field, "file") else str(field or "")
    return await request.text()


async def post_config(request: web.Request) -> web.Response:
    from microlab.gateway.app import InvalidConfig

    state = request.app[STATE]
    try:
        text = await _config_text(request)
    except (ValueError, UnicodeDecodeError) as exc:
        return _invalid(f"failed parsing declarative configuration: {exc}", [])
    try:
        report = state.apply(text, "<POST /config>")
    except InvalidConfig as exc:
        problems = exc.report.to_dict()["problems"]
        return _invalid(f"declarative config is invalid: {len(problems)} problem(s)", problems,
                        str(exc.report))
    rt = state.runtime
    return web.json_response({"message": "configuration applied", "notes": report.notes,
                              "services": len(rt.services), "routes": len(rt.routes),
                              "plugins": len(rt.plugins), "configuration_hash": state.hash},
                             status=201)


def _invalid(message: str, problems: list, text: str = "") -> web.Response:
    body = {"code": 14, "name": "invalid declarative configuration", "message": message,
            "problems": problems, "report": text or message}
    return web.json_response(body, status=400)
