"""JSON error bodies for every failure, naming the field when the input was wrong."""
from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from labs.common import requestid


class AppError(Exception):
    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(AppError):
    status = 404


class Conflict(AppError):
    status = 409


class Invalid(AppError):
    status = 422


class Unavailable(AppError):
    """A service this one depends on is down or too slow: 503, not a 500 traceback."""

    status = 503


def _body(message: str, **extra) -> dict:
    return {"error": message, **extra, "request_id": requestid.current.get()}


def _field(loc: tuple) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path")]
    return ".".join(parts) or "body"


def _describe(err: dict) -> dict:
    if err["type"] == "json_invalid":
        reason = err.get("ctx", {}).get("error", "invalid JSON")
        return {"field": "body", "message": f"malformed JSON ({reason})"}
    return {"field": _field(err["loc"]), "message": err["msg"]}


def install(app: FastAPI, log: logging.Logger) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_input(_req: Request, exc: RequestValidationError):
        fields = [_describe(e) for e in exc.errors()]
        summary = "; ".join(f"{f['field']}: {f['message']}" for f in fields)
        return JSONResponse(_body(summary, fields=fields), status_code=422)

    @app.exception_handler(AppError)
    async def app_error(_req: Request, exc: AppError):
        return JSONResponse(_body(exc.message), status_code=exc.status)

    @app.exception_handler(HTTPException)
    async def http_error(_req: Request, exc: HTTPException):
        return JSONResponse(_body(str(exc.detail)), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def crash(req: Request, exc: Exception):
        log.exception("request_id=%s %s %s failed", requestid.current.get(), req.method, req.url.path)
        message = f"internal error in {app.title}: {type(exc).__name__}: {exc}"
        return JSONResponse(_body(message), status_code=500)
