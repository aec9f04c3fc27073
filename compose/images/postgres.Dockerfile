# Debian's PostgreSQL 15 on the debootstrap base, with the upstream postgres image's
# interface: POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB and PGDATA; a cluster made on
# first start (initdb, then CREATE DATABASE in single-user mode); command
# `postgres <flags>`. Runs as the postgres user; PGDATA must be writable by it (the
# harness mounts a tmpfs and puts the cluster in a directory below it).
ARG BASE=alert-harness/base:bookworm
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \
 && (pg_dropcluster 15 main || true) \
 && printf '%s\n' \
    '#!/bin/sh' \
    'set -eu' \
    'if [ ! -s "$PGDATA/PG_VERSION" ]; then' \
    '  pw=$(mktemp)' \
    '  printf "%s\n" "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" >"$pw"' \
    '  initdb -D "$PGDATA" -U "${POSTGRES_USER:-postgres}" --pwfile="$pw" -E UTF8 \' \
    '    --locale=C --no-sync --auth-local=trust --auth-host=scram-sha-256 >/dev/null' \
    '  rm -f "$pw"' \
    '  echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"' \
    '  db=${POSTGRES_DB:-postgres}' \
    '  if [ "$db" != postgres ]; then' \
    '    echo "CREATE DATABASE \"$db\";" | postgres --single -D "$PGDATA" postgres >/dev/null' \
    '  fi' \
    'fi' \
    'exec "$@"' >/usr/local/bin/docker-entrypoint.sh \
 && chmod 755 /usr/local/bin/docker-entrypoint.sh
ENV PATH=/usr/lib/postgresql/15/bin:$PATH PGDATA=/var/lib/postgresql/data/pgdata
USER postgres
ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]
CMD ["postgres"]
