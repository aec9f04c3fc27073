"""Image choice for the containers backend, against a stand-in for docker's client."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from docker.errors import ImageNotFound

from harness.errors import StackError
from harness.stack.containers.images import LOCAL, UPSTREAM, resolve_images


def _client(*present: str) -> object:
    def get(name: str) -> object:
        if name not in present:
            raise ImageNotFound(name)
        return object()

    return SimpleNamespace(images=SimpleNamespace(get=get))


def test_auto_prefers_upstream_then_local() -> None:
    client = _client(UPSTREAM["prometheus"], *LOCAL.values())
    images = resolve_images(client, "unix:///x", {})  # type: ignore[arg-type]
    assert images.prometheus == UPSTREAM["prometheus"]
    assert images.alertmanager == LOCAL["alertmanager"]
    assert images.of("worker") == images.of("dbinit") == images.api == LOCAL["api"]


def test_local_mode_and_an_override() -> None:
    client = _client(*LOCAL.values(), "mine/redis:7")
    env = {"HARNESS_IMAGES": "local", "HARNESS_IMAGE_REDIS": "mine/redis:7"}
    images = resolve_images(client, "unix:///x", env)  # type: ignore[arg-type]
    assert images.redis == "mine/redis:7" and images.prometheus == LOCAL["prometheus"]


def test_missing_images_are_named_with_how_to_get_them() -> None:
    client = _client(LOCAL["redis"])
    with pytest.raises(StackError) as info:
        resolve_images(client, "unix:///x", {"HARNESS_IMAGES": "upstream"})  # type: ignore[arg-type]
    message = str(info.value)
    assert "Image(s) missing on the Docker engine at unix:///x:" in message
    assert "prometheus: prom/prometheus:v2.42.0 (docker pull prom/prometheus:v2.42.0)" in message
    assert "docker build -f compose/api/Dockerfile -t alert-harness-api ." in message
    assert "scripts/build-images.sh" in message

    with pytest.raises(StackError, match=r"api: alert-harness/api:local \(build it with scripts/"):
        resolve_images(client, "unix:///x", {"HARNESS_IMAGES": "local"})  # type: ignore[arg-type]


def test_unknown_mode() -> None:
    with pytest.raises(StackError, match="HARNESS_IMAGES='remote' is not one of auto, upstream"):
        resolve_images(_client(), "unix:///x", {"HARNESS_IMAGES": "remote"})  # type: ignore[arg-type]


def test_postgres_image_only_when_asked_local_without_a_registry() -> None:
    others = [LOCAL[s] for s in ("prometheus", "alertmanager", "redis", "api")]
    images = resolve_images(_client(*others), "unix:///x", {})  # type: ignore[arg-type]
    assert images.postgres == ""  # a SQLite stack needs no PostgreSQL image
    with pytest.raises(StackError, match=r"postgres: postgres:15 .*alert-harness/postgres:local"):
        resolve_images(_client(*others), "unix:///x", {}, postgres=True)  # type: ignore[arg-type]
    client = _client(*others, LOCAL["postgres"])
    images = resolve_images(client, "unix:///x", {}, postgres=True)  # type: ignore[arg-type]
    assert images.postgres == LOCAL["postgres"] and images.of("postgres") == LOCAL["postgres"]
    client = _client(*others, LOCAL["postgres"], UPSTREAM["postgres"])
    images = resolve_images(client, "unix:///x", {}, postgres=True)  # type: ignore[arg-type]
    assert images.postgres == UPSTREAM["postgres"]
