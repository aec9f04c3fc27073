# Debian's redis-server on the debootstrap base. The harness runs `redis-server <flags>`.
ARG BASE=alert-harness/base:bookworm
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
CMD ["redis-server"]
