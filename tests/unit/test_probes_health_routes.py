"""The target's probe endpoints beside /health (in process; Redis on a closed port)."""

from __future__ import annotations

from pathlib import Path

from tests.support.target import asgi_client, make_app, run


def test_live_answers_while_redis_is_away_and_ready_does_not(tmp_path: Path) -> None:
    app, _ = make_app(tmp_path)

    async def get_all() -> dict[str, tuple[int, dict]]:
        async with asgi_client(app) as client:
            out = {}
            for path in ("/health", "/health/live", "/health/ready", "/health/spec"):
                r = await client.get(path)
                out[path] = (r.status_code, r.json())
            return out

    got = run(get_all())
    assert got["/health/live"][0] == 200 and got["/health/live"][1]["status"] == "alive"
    assert got["/health/ready"] == (
        503, {"status": "not ready", "checks": {"database": "healthy", "redis": "unhealthy"}})
    assert got["/health"][0] == 503 and got["/health"][1]["status"] == "unhealthy"
    assert got["/health/spec"][0] == 503
    assert got["/health/spec"][1]["checks"]["eventbus"] == "unhealthy"
