"""Load and faults, harness side: Locust runs in its own processes, their ground truth,
and the target's fault switch. Nothing here imports Locust (gevent stays out of pytest).

Modules: ``command`` (LocustConfig, command lines), ``run`` (LocustRun), ``stats``
(LoadStats), ``faults`` (FaultClient), ``phases`` (Phase plans), ``sizing``, ``hosts``.
"""

from harness.load.command import LocustConfig
from harness.load.errors import FaultControlError, LoadError
from harness.load.fault_client import FaultClient
from harness.load.hosts import is_loopback_host, require_loopback
from harness.load.run import LoadResult, LocustRun, marked_processes, run_load
from harness.load.shape_plan import Phase, PhaseMark, write_phases
from harness.load.sizing import LoadPlan, plan_for_ratio
from harness.load.stats import EndpointStats, HistoryPoint, LoadStats

__all__ = [
    "EndpointStats",
    "FaultClient",
    "FaultControlError",
    "HistoryPoint",
    "LoadError",
    "LoadPlan",
    "LoadResult",
    "LoadStats",
    "LocustConfig",
    "LocustRun",
    "Phase",
    "PhaseMark",
    "is_loopback_host",
    "marked_processes",
    "plan_for_ratio",
    "require_loopback",
    "run_load",
    "write_phases",
]
