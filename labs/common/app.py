"""The app factory every service and the monolith use: one FastAPI app per service,
with health, fault injection, request ids and JSON errors wired the same way."""
from __future__ import annotations

import logging
import os
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI
from fastapi.responses import JSONResponse
from fastapi_offline import FastAPIOffline

from labs.common import errors
from labs.common.db import Database
from labs.common.faults import Faults, FaultSettings, require_admin
from labs.common.requestlog import RequestLog

DOCS_ASSETS = "/docs-assets"  # Swagger UI's JavaScript and CSS, from the fastapi-offline package


def create_app(title: str, db: Database, routers: list[APIRouter], on_start=None, on_stop=None) -> FastAPI:
    log = _logger(title)
    faults = Faults()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        db.connect()
        faults.reset_from_env()
        if on_start:
            on_start(app)
        log.info("%s started (database %s)", title, db.engine.url.render_as_string(hide_password=True))
        yield
        if on_stop:
            on_stop(app)
        db.close()

    # /docs and /redoc load their assets from this app, not a CDN: they work offline
    app = FastAPIOffline(title=title, lifespan=lifespan, static_url=DOCS_ASSETS)
    app.state.db, app.state.faults, app.state.log = db, faults, log
    errors.install(app, log)
    for router in routers:
        app.include_router(router)
    app.include_router(_operations_router(db, faults))
    app.add_middleware(RequestLog, log=log, faults=faults)
    return app


def _operations_router(db: Database, faults: Faults) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health")
    def health():
        try:
            db.ping()
        except Exception as exc:  # the point of /health is to report this, not raise it
            return JSONResponse({"status": "unhealthy", "database": str(exc)}, status_code=503)
        return {"status": "ok", "database": "ok"}

    @router.get("/admin/faults", dependencies=[Depends(require_admin)])
    def get_faults():
        return faults.as_dict()

    @router.put("/admin/faults", dependencies=[Depends(require_admin)])
    def set_faults(settings: FaultSettings):
        return faults.set(settings)

    return router


def _logger(title: str) -> logging.Logger:
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    return logging.getLogger(os.environ.get("SERVICE_NAME", title))
