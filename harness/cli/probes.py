"""`harness probes`: what Kubernetes would do with a manifest's probes during a fault."""

from __future__ import annotations

from pathlib import Path

import click

from harness.probes.check import FAULTS


@click.command(name="probes")
@click.option("--manifest", required=True, type=click.Path(path_type=Path),
              help="A Kubernetes manifest whose Deployment container has the probes.")
@click.option("--fault", type=click.Choice(list(FAULTS)), default="none", show_default=True,
              help="redis-down/database-down: stopped through the stack's hooks; "
                   "eventbus-spec: /health with the spec's xinfo('STREAM', 'events:*').")
@click.option("--time-scale", type=float, default=10.0, show_default=True,
              help="Run every duration (probe periods included) this many times faster.")
@click.option("--backend", type=click.Choice(["local", "containers"]), default="local",
              show_default=True)
def command(manifest: Path, fault: str, time_scale: float, backend: str) -> int:
    """Drive MANIFEST's liveness and readiness probes (kubelet's rules) against the real
    target of a fresh stack and print the timeline: when the pod leaves the Service, when
    it is restarted. Exit 1 on a finding (e.g. restarted during a dependency outage)."""
    from harness.errors import InputError
    from harness.probes.check import run_check
    from harness.probes.model import load_probes
    from harness.stack import StackSpec, open_stack

    if time_scale <= 0:
        raise InputError(f"--time-scale must be positive, not {time_scale:g}")
    load_probes(manifest)  # bad input fails before a stack starts
    with open_stack(StackSpec(time_scale=time_scale, run_label="probes"), backend) as stack:
        report = run_check(stack, manifest, fault, time_scale)
    click.echo(report.render())
    return 1 if report.findings() else 0
