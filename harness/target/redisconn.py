"""Redis clients with short timeouts: fail fast while Redis is away, reconnect when it returns.

redis-py pools reconnect on the next command after a connection error; one quick
retry absorbs the first command on a connection that died with the old server.
"""

from __future__ import annotations

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# Errors that mean "Redis is unavailable right now" (the API answers 503 for them).
UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError, OSError)


def make_redis(url: str, *, socket_timeout: float = 1.0, retries: int = 1) -> Redis:
    """A pooled client. ``socket_timeout`` must exceed any BLOCK time used on it."""
    return Redis.from_url(
        url,
        decode_responses=True,
        socket_connect_timeout=0.5,
        socket_timeout=socket_timeout,
        retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), retries),
        retry_on_error=[RedisConnectionError, RedisTimeoutError],
    )
