# Debian's prometheus on the debootstrap base; the harness passes every flag.
ARG BASE=alert-harness/base:bookworm
FROM ${BASE}
# Slim images start faster (the vfs storage driver copies the image per container):
# promtool (48 MB) stays out, the harness runs it on the host; so does moment-timezone's
# raw data (212 MB), which the web UI never loads (it uses the bundled .min.js).
RUN apt-get update \
 && apt-get install -y --no-install-recommends prometheus \
 && rm -rf /usr/bin/promtool /usr/share/javascript/moment-timezone/data \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
ENTRYPOINT ["/usr/bin/prometheus"]
