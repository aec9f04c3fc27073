"""*Alerts* and *Notifications* tabs in Locust's web UI: the stack's monitoring, live.

    locust -f locustfiles/school.py,locustfiles/addons/alerts_tab.py --host API \\
        --prometheus-url PROMETHEUS --inbox-url RECEIVER_INBOX --fault-token TOKEN

(the URLs and token as `harness up` prints them; or ``HARNESS_PROMETHEUS_URL``,
``HARNESS_INBOX_URL``, ``HARNESS_FAULT_TOKEN``). Uses Locust's documented extension
points: ``extended_tabs``/``extended_tables`` template args, and an ``extended_stats``
entry added to ``/stats/requests``, which the UI polls. ``/alerts-tab/data`` serves the
same rows as JSON. The rows come from ``harness.load.webui`` (read-only, short timeouts).
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from flask import Response, jsonify, request
from locust import events
from locust.env import Environment

from harness.errors import InputError
from harness.load.webui import TABLES, TABS, AlertsFeed

PROMETHEUS_ENV = "HARNESS_PROMETHEUS_URL"
INBOX_ENV = "HARNESS_INBOX_URL"
TOKEN_ENV = "HARNESS_FAULT_TOKEN"  # the form's --fault-token (school.py's) wins


@events.init_command_line_parser.add_listener
def _add_options(parser: Any) -> None:
    parser.add_argument(
        "--prometheus-url",
        type=str,
        default=os.environ.get(PROMETHEUS_ENV, ""),
        help=f"The stack's Prometheus, for the Alerts tab (default ${PROMETHEUS_ENV})",
        include_in_web_ui=False,
    )
    parser.add_argument(
        "--inbox-url",
        type=str,
        default=os.environ.get(INBOX_ENV, ""),
        help=f"The capture receiver's inbox, for the Notifications tab (default ${INBOX_ENV})",
        include_in_web_ui=False,
    )


@events.init.add_listener
def _on_init(environment: Environment, **_: Any) -> None:
    web_ui = environment.web_ui
    if web_ui is None or web_ui.app is None:
        return
    app = web_ui.app
    opts = environment.parsed_options
    try:
        feed = AlertsFeed.from_urls(
            getattr(opts, "prometheus_url", ""),
            getattr(opts, "inbox_url", ""),
            getattr(opts, "fault_token", "") or os.environ.get(TOKEN_ENV, ""),
        )
    except InputError as exc:
        sys.stderr.write(f"alerts_tab: {exc.message}\n")
        sys.exit(2)
    web_ui.template_args["extended_tabs"] = TABS
    web_ui.template_args["extended_tables"] = TABLES

    @app.after_request
    def _extend_stats(response: Response) -> Response:
        if request.path != "/stats/requests" or not response.is_json:
            return response
        body = {**(response.json or {}), "extended_stats": feed.extended_stats()}
        response.set_data(json.dumps(body))
        return response

    @app.route("/alerts-tab/data")
    def _data() -> Response:
        return jsonify(feed.tables())

    events.quitting.add_listener(lambda **_: feed.close())
