"""CORS for every response, so browser tools (YASGUI, notebooks in a page) can query.

On by default with ``Access-Control-Allow-Origin: *``. ``CORS_ORIGINS`` (environment
``DEVGRAPH_CORS_ORIGINS``) set to a comma-separated list of origins echoes the request's
``Origin`` only when it is in the list (with ``Vary: Origin``); set to ``""`` it turns
CORS off. A preflight ``OPTIONS`` (Flask answers it for every route) gets the route's
allowed methods, the allowed request headers and a one-day ``Max-Age``.

Twelve lines of after_request hook do what is needed, so no flask-cors dependency.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

ALLOWED_HEADERS = ("Content-Type", "Accept", "Authorization")
EXPOSED_HEADERS = (
    "Content-Type",
    "Content-Disposition",
    "X-Devgraph-Truncated",
    "X-Devgraph-Result-Limit",
    "X-Devgraph-Timeout",
)
MAX_AGE = 86_400


def allowed_origin(
    setting: str | list[str] | tuple[str, ...] | None, origin: str | None
) -> str | None:
    """The ``Access-Control-Allow-Origin`` value for this request, or None for none."""
    if setting is None:
        return None
    entries = setting.split(",") if isinstance(setting, str) else list(setting)
    origins = [e.strip().rstrip("/") for e in entries if e.strip()]
    if not origins:
        return None
    if "*" in origins:
        return "*"
    if origin and origin.rstrip("/") in origins:
        return origin
    return None


def add_cors_headers(response: Response) -> Response:
    """after_request hook: add the CORS headers the configuration allows."""
    value = allowed_origin(current_app.config.get("CORS_ORIGINS"), request.headers.get("Origin"))
    if value != "*":
        response.vary.add("Origin")
    if value is None:
        return response
    response.headers["Access-Control-Allow-Origin"] = value
    response.headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_HEADERS)
    if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
        methods = response.headers.get("Allow") or "GET, POST, OPTIONS"
        asked = [
            h.strip()
            for h in request.headers.get("Access-Control-Request-Headers", "").split(",")
            if h.strip()
        ]
        headers = list({h.lower(): h for h in [*asked, *ALLOWED_HEADERS]}.values())
        response.headers["Access-Control-Allow-Methods"] = methods
        response.headers["Access-Control-Allow-Headers"] = ", ".join(headers)
        response.headers["Access-Control-Max-Age"] = str(MAX_AGE)
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_cors_headers)
