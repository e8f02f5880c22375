"""Which of a function's triggers delivers the requests of one framework route.

A Flask app behind serverless-wsgi answers every path through one `ANY /{proxy+}` route; a Chalice
app declares one API route per view. Rules (severity per route) and reporters (the route table) ask
the same question, so the answer lives in the model as a pure function of the model's own records.
"""

from __future__ import annotations

import re

from fnaudit.model.app import Function, Trigger
from fnaudit.model.code import Route


def serving_trigger(fn: Function, route: Route) -> Trigger | None:
    """The HTTP trigger of `fn` that delivers requests for the framework `route`: the one declared for
    the same path (Chalice, Powertools behind per-route events), else a greedy proxy route
    (`/{proxy+}`, `/api/{proxy+}`) or a catch-all (HTTP API `$default`, function URL, ALB) whose prefix
    the route's path falls under; the most specific wins. None when no trigger can be matched."""
    want = _shape(route.path)
    methods = set(route.method.split(","))
    best: tuple[int, Trigger] | None = None
    for t in fn.http_triggers:
        if t.method not in (None, "ANY") and "ANY" not in methods and t.method not in methods:
            continue
        path = t.path or ""
        if path in ("", "$default", "*"):  # a function URL, an ALB target, an HTTP API's default route: every path
            rank = 1
        elif path.endswith(("+}", "*")):  # greedy proxy (`/{proxy+}`, an ALB's `/api/*`): everything under its prefix
            prefix = _shape(path[: path.rindex("{")] if path.endswith("}") else path[:-1])
            if not (want + "/").startswith(prefix.rstrip("/") + "/") and prefix not in ("", "/"):
                continue
            rank = 2 + len(prefix)
        elif _shape(path) == want:
            rank = 10_000
        else:
            continue
        if best is None or rank > best[0]:
            best = (rank, t)
    return best[1] if best is not None else None


_PARAM = re.compile(r"<(?:[^:>]+:)?[^>]+>|\{[^}]+\}|:[A-Za-z_]\w*\??")


def _shape(path: str) -> str:
    """A path with every parameter written `{}` and no trailing slash: `/orders/<int:id>/`, `/orders/{id}`
    and `/orders/:id` are all `/orders/{}`."""
    shaped = _PARAM.sub("{}", "/" + path.strip().lstrip("/"))
    return shaped.rstrip("/") or "/"
