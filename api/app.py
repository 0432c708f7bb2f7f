"""The FastAPI application: `create_app(settings)` builds it (routes, problem handlers, limits, CORS,
the web page); `analogmap serve` runs it with uvicorn.

Reads are open; writes (`POST /reviews`, `POST /check?store=true`) need a bearer token from
`ANALOGMAP_API_TOKENS`.  Bodies over `max_upload_bytes` are refused with 413 before they are read
in full.  CORS is closed unless `cors_origins` lists origins.
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from importlib import resources
from typing import Any

from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from . import problems
from .problems import problem_response
from .routes_common import DocumentTitles
from .settings import Settings

log = logging.getLogger("analogmap.api")

API_DESCRIPTION = """
アナログ規制 (analog regulations) in Japanese laws and municipal ordinances: search the findings in
the knowledge graph, check a draft, see the technologies that can replace each requirement and the
suggested revision, and record review decisions.

* Reads are open.  Writes need `Authorization: Bearer <token>` (tokens are configured on the server;
  with none configured every write is refused with 401).
* Errors are `application/problem+json` with a stable `code` (see the `ProblemModel` schema);
  validation errors name the offending field in `errors[].field`.
* Provision ids contain `#`: URL-encode it (`%23`) in paths.
"""


class BodySizeLimit:
    """ASGI middleware: 413 (problem body) for request bodies over `limit` bytes."""

    def __init__(self, app, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        # multipart adds a little framing around the file: allow for it
        limit = self.limit + 64 * 1024
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_large = int(length) > limit
            except ValueError:
                too_large = False
                response = problem_response(400, "validation-error", "invalid Content-Length header")
                return await response(scope, receive, send)
            if too_large:
                response = problem_response(413, "payload-too-large",
                                            f"the request body is over {self.limit} bytes")
                return await response(scope, receive, send)
        received = 0

        async def limited_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:  # an HTTPException passes FastAPI's body parsing unchanged
                    raise HTTPException(413, f"the request body is over {self.limit} bytes")
            return message

        return await self.app(scope, limited_receive, send)


def install_openapi(app: FastAPI) -> None:
    """Document every error response as `application/problem+json` (`ProblemModel`), including the
    422 FastAPI adds by itself, and 413 on every POST."""
    from fastapi.openapi.utils import get_openapi

    from .problems import PROBLEM_MEDIA_TYPE, TITLES, ProblemModel

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        spec = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes,
                           tags=app.openapi_tags)
        components = spec.setdefault("components", {}).setdefault("schemas", {})
        if "ProblemModel" not in components:
            components["ProblemModel"] = ProblemModel.model_json_schema(ref_template="#/components/schemas/{model}")
            for name, definition in components["ProblemModel"].pop("$defs", {}).items():
                components.setdefault(name, definition)
        problem = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemModel"}}}
        for path in spec.get("paths", {}).values():
            for method, operation in path.items():
                responses = operation.setdefault("responses", {})
                if method == "post":
                    responses.setdefault("413", {"description": TITLES["payload-too-large"]})
                    responses.setdefault("415", {"description": TITLES["unsupported-media-type"]})
                for status, response in responses.items():
                    if status.isdigit() and int(status) >= 400:
                        response["content"] = dict(problem)
                        if status == "422":
                            response["description"] = TITLES["validation-error"]
        for unused in ("HTTPValidationError", "ValidationError"):
            components.pop(unused, None)
        app.openapi_schema = spec
        return spec

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None, store: Any = None) -> FastAPI:
    """The API and the web page.  `store`: an open `GraphStore` to use (else opened from settings and
    closed on shutdown)."""
    settings = settings or Settings()
    owns_store = store is None

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if app.state.store is None:
            try:
                app.state.store = settings.open_store()
            except Exception:  # noqa: BLE001 - serve anyway; store routes answer 503
                log.exception("cannot open the %s store", settings.store)
        try:
            yield
        finally:
            if owns_store and app.state.store is not None:
                app.state.store.close()
                app.state.store = None

    app = FastAPI(title=f"{settings.title} API", version="0.1.0", description=API_DESCRIPTION, lifespan=lifespan,
                  openapi_tags=[{"name": n} for n in ("provisions", "check", "documents", "reviews", "techmap",
                                                       "stats", "web")])
    app.state.settings = settings
    app.state.store = store
    app.state.titles = DocumentTitles()
    problems.install(app)

    from . import (
        routes_check,
        routes_documents,
        routes_provisions,
        routes_reviews,
        routes_stats,
        routes_techmap,
        routes_web,
    )

    for module in (routes_provisions, routes_check, routes_documents, routes_reviews, routes_techmap, routes_stats,
                   routes_web):
        app.include_router(module.router)
    static = resources.files("analogmap.api").joinpath("web", "static")
    app.mount("/static", StaticFiles(directory=str(static)), name="static")

    install_openapi(app)
    app.add_middleware(BodySizeLimit, limit=settings.max_upload_bytes)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])
    return app


__all__ = ["create_app", "BodySizeLimit"]
