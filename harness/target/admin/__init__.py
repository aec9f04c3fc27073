"""The System Admin monitoring page, /admin/monitoring (role system_admin), served by
the API: figures from the corrected dashboards' PromQL, Alertmanager's active alerts,
the API's own /health, trend charts and a search over the target's JSON logs."""

from harness.target.admin.routes import add_admin_routes

__all__ = ["add_admin_routes"]
