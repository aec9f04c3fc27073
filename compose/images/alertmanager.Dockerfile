# Debian's prometheus-alertmanager on the debootstrap base; the harness passes every flag.
ARG BASE=alert-harness/base:bookworm
FROM ${BASE}
# amtool stays out: the harness runs it on the host.
RUN apt-get update \
 && apt-get install -y --no-install-recommends prometheus-alertmanager \
 && rm -f /usr/bin/amtool \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin
ENTRYPOINT ["/usr/bin/prometheus-alertmanager"]
