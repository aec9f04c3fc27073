"""Why a notification never arrived, in Alertmanager's own words.

Alertmanager logs a failed delivery as ``level=error ... msg="Notify for alerts failed"
... err="<receiver>/<integration>[<i>]: <reason>"`` (notify/notify.go, RetryStage). A
"never notified" verdict quotes the reason, e.g. a template that cannot render.
"""

from __future__ import annotations

import re

_ERR = re.compile(r'msg="Notify for alerts failed".*?err="(?P<err>(?:[^"\\]|\\.)*)"')
_WHO = re.compile(r"^(?P<receiver>[^/]+)/(?P<integration>[a-z_]+)\[\d+\]: (?P<reason>.*)$")


def delivery_failures(log_text: str) -> dict[str, list[str]]:
    """receiver -> distinct failure reasons, in order of first appearance."""
    out: dict[str, list[str]] = {}
    for match in _ERR.finditer(log_text):
        err = match.group("err").replace('\\"', '"')
        who = _WHO.match(err)
        receiver = who.group("receiver") if who else "?"
        reason = f"{who.group('integration')}: {who.group('reason')}" if who else err
        reasons = out.setdefault(receiver, [])
        if reason not in reasons:
            reasons.append(reason)
    return out
