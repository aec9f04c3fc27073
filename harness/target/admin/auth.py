"""Who may see the System Admin page: the ``system_admin`` role only.

The same stand-in identity as the /api routes (``X-User-Id``, ``X-Tenant-Id``,
``X-Role``; 401 without identity, 403 for another role). A person in a browser cannot
set headers, so the page's 401 answer is a small sign-in form whose POST /admin/login
sets the same three values as cookies (path /admin); headers win over cookies. Like
the headers, this is an identity stand-in for a test target, not authentication.
A sign-in with another role is logged with ``action="LOGIN_FAILED"`` (the spec's
"failed login attempts" log query finds it).
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from urllib.parse import parse_qs

from fastapi import HTTPException, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

ROLE = "system_admin"
COOKIES = {"user": "harness_user", "tenant": "harness_tenant", "role": "harness_role"}
PAGE = "/admin/monitoring"
log = logging.getLogger("harness.target.admin")


@dataclass(frozen=True)
class Identity:
    user_id: str
    tenant_id: str
    role: str


def identify(request: Request) -> Identity | None:
    """The caller from headers, else from the sign-in cookies; None without identity."""
    h, c = request.headers, request.cookies
    user = h.get("x-user-id") or c.get(COOKIES["user"])
    tenant = h.get("x-tenant-id") or c.get(COOKIES["tenant"])
    if not user or not tenant:
        return None
    return Identity(user, tenant, h.get("x-role") or c.get(COOKIES["role"]) or "student")


def require_admin(request: Request) -> Identity:
    """FastAPI dependency of the page's JSON endpoints: 401 / 403 as the /api routes."""
    who = identify(request)
    if who is None:
        raise HTTPException(401, "X-User-Id and X-Tenant-Id headers are required")
    if who.role != ROLE:
        raise HTTPException(403, f"{ROLE} role required")
    return who


def sign_in_form(status: int, message: str) -> HTMLResponse:
    body = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>System Admin sign-in</title><link rel="stylesheet" href="/admin/static/admin/monitoring.css">
</head><body class="signin"><main><h1>System Admin monitoring</h1>
<p class="msg">{html.escape(message)}</p>
<form method="post" action="/admin/login">
<label>User id <input name="user_id" required value="admin-1"></label>
<label>Tenant id <input name="tenant_id" required value="tenant-1"></label>
<label>Role <input name="role" required value="{ROLE}"></label>
<button type="submit">Open the page</button></form>
<p class="hint">Or send the headers X-User-Id, X-Tenant-Id and X-Role: {ROLE}.</p>
</main></body></html>"""
    return HTMLResponse(body, status_code=status)


async def sign_in(request: Request) -> Response:
    """POST /admin/login (form): cookies and a redirect to the page, or 403 and the form."""
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    user, tenant, role = (form.get(k, [""])[0].strip() for k in ("user_id", "tenant_id", "role"))
    fields = {"userId": user, "tenantId": tenant, "role": role}
    if not user or not tenant:
        return sign_in_form(401, "User id and tenant id are required.")
    if role != ROLE:
        log.warning("login failed", extra={"fields": {"action": "LOGIN_FAILED", **fields}})
        return sign_in_form(403, f"The {ROLE} role is required.")
    log.info("login", extra={"fields": {"action": "LOGIN", **fields}})
    response = RedirectResponse(PAGE, status_code=303)
    for key, value in (("user", user), ("tenant", tenant), ("role", role)):
        response.set_cookie(COOKIES[key], value, path="/admin", httponly=True, samesite="strict")
    return response


def sign_out() -> Response:
    response = RedirectResponse(PAGE, status_code=303)
    for name in COOKIES.values():
        response.delete_cookie(name, path="/admin")
    return response
