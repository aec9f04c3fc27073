"""The System Admin page's PromQL source (the corrected dashboards, windows scaled as the
harness's rewrite scales them), its role check and its sign-in, in process."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import promql_parser as pp
import pytest

from harness.rules.rewrite import scale_expression
from harness.target.admin.panels import DashboardError, load_queries, scale_windows
from harness.target.settings import Settings
from tests.support.target import asgi_client, make_app, run

DASHBOARDS = Path(Settings().dashboards_dir)
ADMIN = {"X-User-Id": "admin-1", "X-Tenant-Id": "tenant-1", "X-Role": "system_admin"}


@pytest.mark.parametrize("k", [1.0, 60.0, 7.0])
def test_scaled_windows_match_the_harness_rewrite(k: float) -> None:
    queries = load_queries(DASHBOARDS, k)
    assert queries
    for q in queries.values():
        ours = pp.parse(q.scaled).prettify()
        theirs = pp.parse(scale_expression(q.expr, k).text).prettify()
        assert ours == theirs, q.ref.key


def test_scale_windows_leaves_label_values_alone() -> None:
    expr = 'sum(rate(x{code=~"[45]..",le="1"}[5m])) / sum(rate(x[1h30m]))'
    assert scale_windows(expr, 60) == (
        'sum(rate(x{code=~"[45]..",le="1"}[5s])) / sum(rate(x[1m30s]))', 90.0)


def test_missing_panel_or_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(DashboardError, match="no dashboard JSON"):
        load_queries(tmp_path, 1.0)
    (tmp_path / "x.json").write_text(json.dumps({"title": "Other", "panels": []}))
    with pytest.raises(DashboardError, match="Request rate"):
        load_queries(tmp_path, 1.0)


@pytest.mark.parametrize("path", ["/admin/monitoring", "/admin/monitoring/data",
                                  "/admin/monitoring/trends", "/admin/monitoring/logs"])
def test_role_check(tmp_path: Path, path: str) -> None:
    app, _ = make_app(tmp_path)

    async def go() -> list[int]:
        async with asgi_client(app) as c:
            codes = []
            for headers in ({}, {**ADMIN, "X-Role": "admin"}, ADMIN):
                codes.append((await c.get(path, headers=headers)).status_code)
            return codes

    assert run(go()) == [401, 403, 200]


def test_page_data_without_prometheus(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)

    async def go() -> dict[str, object]:
        async with asgi_client(app) as c:
            page = await c.get("/admin/monitoring", headers=ADMIN)
            assert "uPlot.iife.min.js" in page.text
            js = await c.get("/admin/static/uplot/uPlot.iife.min.js")
            assert js.status_code == 200 and "uPlot" in js.text
            return dict((await c.get("/admin/monitoring/data", headers=ADMIN)).json())

    data = run(go())
    assert data["prometheus"] == "Prometheus not configured"
    assert data["health"]["status"] == "unhealthy"  # type: ignore[index]  # no Redis here


def test_sign_in_sets_cookies_and_failed_logins_are_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app, _ = make_app(tmp_path)
    form = {"user_id": "admin-1", "tenant_id": "tenant-1"}

    async def go() -> tuple[int, int, int]:
        async with asgi_client(app) as c:
            denied = await c.post("/admin/login", data={**form, "role": "teacher"})
            ok = await c.post("/admin/login", data={**form, "role": "system_admin"})
            page = await c.get("/admin/monitoring")  # the cookies, no headers
            return denied.status_code, ok.status_code, page.status_code

    with caplog.at_level(logging.INFO, logger="harness.target.admin"):
        assert run(go()) == (403, 303, 200)
    actions = [getattr(r, "fields", {}).get("action") for r in caplog.records]
    assert actions == ["LOGIN_FAILED", "LOGIN"]


def test_bad_log_query_is_400(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)

    async def go() -> tuple[int, str]:
        async with asgi_client(app) as c:
            r = await c.get("/admin/monitoring/logs", params={"q": "| logfmt"}, headers=ADMIN)
            return r.status_code, r.json()["detail"]

    code, detail = run(go())
    assert code == 400 and "character 3" in detail
