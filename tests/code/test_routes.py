"""Framework routes are entries of their function: each flow names the route it came in by, and the
severity of a code finding follows that route's own trigger and the authentication its code declares."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from fnaudit.model.app import AuthKind, Authorizer, Code, Function, Trigger, TriggerKind
from fnaudit.model.code import Route
from fnaudit.model.loc import Loc, Value
from fnaudit.model.routes import serving_trigger
from fnaudit.report import json as json_report
from tests.code.helpers import fn, run, write_app

WSGI = """\
api:
  handler: wsgi_handler.handler
  events:
    - http:
        path: /{proxy+}
        method: ANY
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")


def _code_findings(root: Path) -> list[tuple[str, str, int, str, str]]:
    result = run(root)
    return sorted(
        (f.rule_id, f.location.path, f.location.line, f.severity.value, f.message)
        for f in result.findings
        if f.rule_id.startswith("CODE")
    )


def test_flask_route_with_login_required_is_one_level_below_an_open_route(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        WSGI,
        {
            "app.py": """\
                from flask import Flask
                from views import bp
                app = Flask(__name__)
                app.register_blueprint(bp, url_prefix="/admin")
            """,
            "views.py": """\
                import os
                from flask import Blueprint, request
                from flask_login import login_required
                bp = Blueprint("admin", __name__)

                @bp.route("/run", methods=["POST"])
                @login_required
                def run_it():
                    os.system(request.form["cmd"])
                    return "ok"

                @bp.route("/ping/<host>")
                def ping(host):
                    os.system("ping -c 1 " + host)
                    return "ok"
            """,
        },
    )
    (tmp_path / "serverless.yml").write_text(
        (tmp_path / "serverless.yml").read_text(encoding="utf-8") + "custom:\n  wsgi:\n    app: app.app\n",
        encoding="utf-8",
    )
    found = _code_findings(tmp_path)
    assert [(r, p, line, sev) for r, p, line, sev, _ in found] == [
        ("CODE002", "views.py", 9, "high"),
        ("CODE002", "views.py", 14, "critical"),
    ]
    assert (
        "(from route POST /admin/run via api ANY /{proxy+}, public; the route requires authentication in code "
        in (found[0][4])
    )
    assert "flask_login.login_required" in found[0][4]
    assert "(from route GET /admin/ping/<host> via api ANY /{proxy+}, public with no authorizer)" in found[1][4]
    api = fn(run(tmp_path), "api")
    assert api.code_facts is not None
    assert [(r.method, r.path, r.view, r.loc.path, r.loc.line, r.auth) for r in api.code_facts.routes] == [
        ("POST", "/admin/run", "run_it", "views.py", 6, "flask_login.login_required"),
        ("GET", "/admin/ping/<host>", "ping", "views.py", 12, None),
    ]


CHALICE_CONFIG = '{"version": "2.0", "app_name": "inv", "stages": {"dev": {"api_gateway_stage": "api"}}}'


def test_chalice_route_behind_iam_is_not_reported_as_the_open_route(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".chalice/config.json": CHALICE_CONFIG,
            "requirements.txt": "",
            "app.py": """\
                import sqlite3
                from chalice import Chalice, IAMAuthorizer
                app = Chalice(app_name="inv")
                iam = IAMAuthorizer()
                db = sqlite3.connect("/tmp/x.db")

                @app.route("/items/{name}", authorizer=iam)
                def private_item(name):
                    db.execute("SELECT * FROM items WHERE name = '" + name + "'")
                    return {}

                @app.route("/search")
                def search():
                    q = app.current_request.query_params["q"]
                    db.execute("SELECT * FROM items WHERE name LIKE '%" + q + "%'")
                    return {}
            """,
        },
    )
    found = _code_findings(tmp_path)
    assert [(r, p, line, sev) for r, p, line, sev, _ in found] == [
        ("CODE001", "app.py", 9, "high"),
        ("CODE001", "app.py", 15, "critical"),
    ]
    assert "(from route GET /items/{name} via api GET /items/{name}, behind an authorizer (aws_iam))" in found[0][4]
    assert "(from route GET /search via api GET /search, public with no authorizer)" in found[1][4]


def test_express_route_behind_auth_middleware_is_one_level_lower(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        """\
        api:
          handler: handler.handler
          runtime: nodejs20.x
          events:
            - httpApi: '*'
        """,
        {
            "handler.js": """\
                const serverless = require('serverless-http');
                const express = require('express');
                const { exec } = require('child_process');
                const { requireAuth } = require('./auth');
                const app = express();
                app.post('/admin/run', requireAuth, (req, res) => {
                  exec(req.body.cmd);
                  res.json({});
                });
                app.get('/ping', (req, res) => {
                  exec('ping ' + req.query.host);
                  res.json({});
                });
                module.exports.handler = serverless(app);
            """,
            "auth.js": "module.exports.requireAuth = (req, res, next) => next();\n",
        },
    )
    found = _code_findings(tmp_path)
    assert [(r, p, line, sev) for r, p, line, sev, _ in found] == [
        ("CODE002", "handler.js", 7, "high"),
        ("CODE002", "handler.js", 11, "critical"),
    ]
    assert "route POST /admin/run via httpApi" in found[0][4]
    assert "requires authentication in code (requireAuth)" in found[0][4]
    assert "route GET /ping via httpApi" in found[1][4]


def _http(path: str | None, method: str | None = "ANY", kind: TriggerKind = TriggerKind.API_REST) -> Trigger:
    return Trigger(kind, Loc("serverless.yml", 1), Authorizer(AuthKind.NONE, Loc("")), path=path, method=method)


@pytest.mark.parametrize(
    ("route_path", "method", "triggers", "expected"),
    [
        ("/orders/<int:id>", "GET", [_http("/orders/{id}", "GET"), _http("/{proxy+}")], "/orders/{id}"),
        ("/orders/:id", "GET", [_http("/{proxy+}"), _http("/api/{proxy+}")], "/{proxy+}"),
        ("/api/orders", "GET", [_http("/{proxy+}"), _http("/api/{proxy+}")], "/api/{proxy+}"),
        ("/orders", "POST", [_http("/orders", "GET")], None),
        ("/orders/", "GET", [_http("/orders", "GET")], "/orders"),
        ("/x", "GET", [_http(None, None, TriggerKind.FUNCTION_URL)], "function URL"),
        ("/x", "GET", [_http("/y/{proxy+}")], None),
    ],
)
def test_serving_trigger_matches_paths_in_every_framework_syntax(
    route_path: str, method: str, triggers: list[Trigger], expected: str | None
) -> None:
    f = Function(
        "a#f",
        "f",
        Loc("serverless.yml", 1),
        Value.unset(Loc("")),
        Value.unset(Loc("")),
        Code("python", True),
        triggers=tuple(triggers),
    )
    got = serving_trigger(f, Route(method, route_path, Loc("app.py", 1), "v", "flask"))
    if got is not None and got.kind is TriggerKind.FUNCTION_URL:  # no path: it serves every route
        assert expected == "function URL"
    else:
        assert (got.path if got is not None else None) == expected


def test_json_lists_each_route_with_the_trigger_that_serves_it(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        WSGI,
        {
            "app.py": """\
                from flask import Flask, request
                from flask_login import login_required
                app = Flask(__name__)

                @app.get("/me")
                @login_required
                def me():
                    return {}
            """
        },
    )
    (tmp_path / "serverless.yml").write_text(
        (tmp_path / "serverless.yml").read_text(encoding="utf-8") + "custom:\n  wsgi:\n    app: app.app\n",
        encoding="utf-8",
    )
    doc = json.loads(json.dumps(json_report.document(run(tmp_path))))
    (api,) = doc["functions"]
    assert api["routes"] == [
        {
            "method": "GET",
            "path": "/me",
            "view": "me",
            "framework": "flask",
            "location": api["routes"][0]["location"],
            "auth_in_code": "flask_login.login_required",
            "trigger": {
                "kind": "api",
                "path": "/{proxy+}",
                "method": "ANY",
                "public": True,
                "authorizer": "none",
                "api_key_required": False,
                "source": None,
            },
        }
    ]
    assert (api["routes"][0]["location"]["path"], api["routes"][0]["location"]["line"]) == ("app.py", 5)


def test_attack_path_does_not_enter_by_a_route_that_does_not_serve_the_vulnerable_one(tmp_path: Path) -> None:
    """An open Chalice route is a door to its own view, not to a view behind IAM in the same function."""
    config = json.loads(CHALICE_CONFIG)
    config["stages"]["dev"].update({"autogen_policy": False, "iam_policy_file": "policy-dev.json"})
    admin = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    _write(
        tmp_path,
        {
            ".chalice/config.json": json.dumps(config),
            ".chalice/policy-dev.json": json.dumps(admin),
            "requirements.txt": "",
            "app.py": """\
                import os
                from chalice import Chalice, IAMAuthorizer
                app = Chalice(app_name="inv")

                @app.route("/admin/run/{cmd}", authorizer=IAMAuthorizer())
                def run_it(cmd):
                    os.system(cmd)
                    return {}

                @app.route("/health")
                def health():
                    return {"ok": True}
            """,
        },
    )
    result = run(tmp_path, select=("CODE", "AUTH", "IAM", "PATH"))
    got = sorted(
        (f.rule_id, f.location.path, f.location.line) for f in result.findings if f.rule_id[:4] in ("CODE", "PATH")
    )
    assert got == [("CODE002", "app.py", 7)]


def test_one_express_handler_serving_two_routes_lists_both_with_their_names(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        """\
        api:
          handler: handler.handler
          runtime: nodejs20.x
          events:
            - httpApi: '*'
        """,
        {
            "handler.js": """\
                const serverless = require('serverless-http');
                const express = require('express');
                const items = require('./items');
                const app = express();
                app.get('/items', items.list);
                app.post('/items/search', items.list);
                module.exports.handler = serverless(app);
            """,
            "items.js": "exports.list = (req, res) => res.json([]);\n",
        },
    )
    api = fn(run(tmp_path), "api")
    assert api.code_facts is not None
    assert [(r.method, r.path, r.view, r.loc.path, r.loc.line) for r in api.code_facts.routes] == [
        ("GET", "/items", "list", "handler.js", 5),
        ("POST", "/items/search", "list", "handler.js", 6),
    ]
