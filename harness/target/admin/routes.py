"""The System Admin page's routes, on the API's app.

GET /admin/monitoring          the page (plain HTML + JS; 401 sign-in form, 403)
GET /admin/monitoring/data     the figures, alerts, health, worker (JSON; polled)
GET /admin/monitoring/trends   the charts' series over the last minutes (JSON)
GET /admin/monitoring/logs?q=  log search (JSON; 400 for a query it cannot read)
POST /admin/login, GET /admin/logout   the browser's stand-in identity (auth.py)
/admin/static/...              the page's JS/CSS and the vendored uPlot
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import httpx
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.responses import FileResponse, Response

from harness.target.admin import auth, logsearch
from harness.target.admin.panels import DashboardError, load_queries
from harness.target.admin.snapshot import Monitor
from harness.target.admin.users import ActiveUsers, ActiveUsersMiddleware
from harness.target.settings import Settings

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PAGE_FILE = STATIC_DIR / "admin" / "monitoring.html"
NO_STORE = {"Cache-Control": "no-store"}
Admin = Annotated[auth.Identity, Depends(auth.require_admin)]


def build_monitor(settings: Settings, http: httpx.AsyncClient, app: FastAPI) -> Monitor:
    """The page's sources from the settings; reads the dashboards, connects to nothing."""

    async def own_health() -> tuple[int, dict[str, Any]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://target") as self_:
            response = await self_.get("/health")
        return response.status_code, response.json()

    monitor = Monitor(
        http=http,
        health=own_health,
        users=ActiveUsers(),
        prometheus=settings.prometheus_url or None,
        alertmanager=settings.alertmanager_url or None,
        worker=settings.worker_control_url,
        refresh=settings.admin_refresh,
    )
    try:
        monitor.queries = load_queries(Path(settings.dashboards_dir), settings.time_scale)
    except (DashboardError, ValueError) as exc:
        monitor.query_error = f"dashboards unreadable: {exc}"
    return monitor


def add_admin_routes(app: FastAPI, settings: Settings, http: httpx.AsyncClient) -> Monitor:
    monitor = build_monitor(settings, http, app)
    log_files = logsearch.parse_log_files(settings.log_files, os.pathsep)
    app.add_middleware(ActiveUsersMiddleware, users=monitor.users)
    app.mount("/admin/static", StaticFiles(directory=STATIC_DIR), name="admin-static")

    @app.get(auth.PAGE, include_in_schema=False)
    async def page(request: Request) -> Response:
        who = auth.identify(request)
        if who is None:
            return auth.sign_in_form(401, "Sign in with the system_admin role.")
        if who.role != auth.ROLE:
            return auth.sign_in_form(403, f"The {auth.ROLE} role is required.")
        return FileResponse(PAGE_FILE, media_type="text/html", headers=NO_STORE)

    @app.get(auth.PAGE + "/data")
    async def data(_who: Admin) -> dict[str, Any]:
        return await monitor.snapshot()

    @app.get(auth.PAGE + "/trends")
    async def trends(_who: Admin) -> dict[str, Any]:
        return await monitor.trends()

    @app.get(auth.PAGE + "/logs")
    async def logs(
        _who: Admin,
        q: str = "",
        limit: Annotated[int, Query(ge=1, le=1000)] = logsearch.LIMIT,
    ) -> dict[str, Any]:
        try:
            filters = logsearch.parse_query(q)
        except logsearch.QueryError as exc:
            raise HTTPException(400, str(exc)) from exc
        if not log_files:
            return {"entries": [], "matched": 0, "scanned": 0, "missing": [],
                    "error": "no log files configured (TARGET_LOG_FILES)"}
        found = await run_in_threadpool(logsearch.search, log_files, filters, limit=limit)
        return {**found, "error": None}

    app.add_api_route("/admin/login", auth.sign_in, methods=["POST"], include_in_schema=False)
    app.add_api_route("/admin/logout", auth.sign_out, methods=["GET"], include_in_schema=False)
    return monitor
