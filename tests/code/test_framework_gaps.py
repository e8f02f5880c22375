"""Engine gaps the generated framework bench found (bench/frameworks.py --generated): framework response
objects, HTML held in a local before a Flask view returns it, host allowlist checks guarding SSRF and
redirects, and methods called on a new instance. Each test names the exact rule, file and line."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from fnaudit.config import Config
from fnaudit.pipeline import scan
from tests.code.helpers import run, write_app
from tests.code.javascript.helpers import node_app
from tests.conftest import SCAN_DATE

CHALICE_CONFIG = json.dumps({"version": "2.0", "app_name": "t", "stages": {"dev": {"api_gateway_stage": "api"}}})

API = """\
api:
  handler: app.handler
  events:
    - http:
        path: /{proxy+}
        method: ANY
"""

WSGI = """\
api:
  handler: wsgi_handler.handler
  events:
    - http:
        path: /{proxy+}
        method: ANY
"""
CUSTOM = "custom:\n  wsgi:\n    app: app.app\n"


def _findings(root: Path) -> list[tuple[str, str, int]]:
    result = scan(root, Config(select=("CODE",), today=SCAN_DATE))
    return sorted((f.rule_id, f.location.path, f.location.line) for f in result.findings)


def _wsgi(root: Path, app: str) -> Path:
    """A Flask app behind serverless-wsgi (`custom.wsgi.app` names it)."""
    write_app(root, WSGI, {"app.py": app})
    (root / "serverless.yml").write_text((root / "serverless.yml").read_text(encoding="utf-8") + CUSTOM, "utf-8")
    return root


def _chalice(root: Path, app: str) -> Path:
    (root / ".chalice").mkdir()
    (root / ".chalice" / "config.json").write_text(CHALICE_CONFIG, encoding="utf-8")
    (root / "requirements.txt").write_text("", encoding="utf-8")
    (root / "app.py").write_text(textwrap.dedent(app), encoding="utf-8")
    return root


# -- 1. framework Response objects ---------------------------------------------------------------


def test_chalice_response_html_body_and_location_are_sinks(tmp_path: Path) -> None:
    _chalice(
        tmp_path,
        """\
        from chalice import Chalice, Response
        app = Chalice(app_name="t")

        @app.route("/hello")
        def hello():
            name = app.current_request.query_params["name"]
            return Response(body="<p>" + name + "</p>", status_code=200, headers={"Content-Type": "text/html"})

        @app.route("/go")
        def go():
            target = app.current_request.query_params["next"]
            return Response(body="", status_code=302, headers={"Location": target})

        @app.route("/json")
        def as_json():
            name = app.current_request.query_params["name"]
            return Response(body="<p>" + name + "</p>", status_code=200, headers={"Content-Type": "application/json"})

        @app.route("/home")
        def home():
            target = app.current_request.query_params["next"]
            return Response(body=target, status_code=302, headers={"Location": "/home"})

        @app.route("/not-a-redirect")
        def not_a_redirect():
            target = app.current_request.query_params["next"]
            return Response(body="", status_code=200, headers={"Location": target})
        """,
    )
    assert _findings(tmp_path) == [("CODE010", "app.py", 7), ("CODE011", "app.py", 12)]
    messages = sorted(f.message for f in scan(tmp_path, Config(select=("CODE",), today=SCAN_DATE)).findings)
    assert "event.queryStringParameters.name (from route GET /hello" in messages[0]
    assert "reaches HTML response body (Chalice Response) at line 7: cross-site scripting" in messages[0]
    assert "reaches Location header (Chalice Response) at line 12: open redirect" in messages[1]


def test_powertools_response_html_body_and_location_are_sinks(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        API,
        {
            "app.py": """\
                from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

                app = APIGatewayRestResolver()

                @app.get("/hello")
                def hello():
                    name = app.current_event.get_query_string_value(name="name", default_value="")
                    return Response(status_code=200, content_type=content_types.TEXT_HTML, body=f"<p>{name}</p>")

                @app.get("/page")
                def page():
                    name = app.current_event.get_query_string_value(name="name", default_value="")
                    return Response(status_code=200, content_type="text/html", body="<p>%s</p>" % name)

                @app.get("/go")
                def go():
                    target = app.current_event.get_query_string_value(name="next", default_value="")
                    return Response(status_code=302, body="", headers={"Location": "https://" + target})

                @app.get("/json")
                def as_json():
                    name = app.current_event.get_query_string_value(name="name", default_value="")
                    return Response(status_code=200, content_type=content_types.APPLICATION_JSON, body=name)

                @app.get("/home")
                def home():
                    return Response(status_code=302, body="", headers={"Location": "/home"})

                def handler(event, context):
                    return app.resolve(event, context)
            """,
        },
    )
    assert _findings(tmp_path) == [("CODE010", "app.py", 8), ("CODE010", "app.py", 13), ("CODE011", "app.py", 18)]
    messages = sorted(f.message for f in scan(tmp_path, Config(select=("CODE011",), today=SCAN_DATE)).findings)
    assert ["reaches Location header (Powertools Response) at line 18: open redirect" in m for m in messages] == [True]


# -- 2. HTML held in a local before a Flask view returns it ----------------------------------------


def test_flask_view_returning_a_local_that_holds_html_is_xss(tmp_path: Path) -> None:
    _wsgi(
        tmp_path,
        """\
                from flask import Flask, jsonify, request
                app = Flask(__name__)

                @app.route("/hello")
                def hello():
                    v = request.args["name"]
                    text = "<p>" + v + "</p>"
                    return text

                @app.route("/page")
                def page():
                    v = request.args["name"]
                    body = f"<h1>{v}</h1>"
                    body += "<hr>"
                    return body, 200

                @app.route("/data")
                def data():
                    v = request.args["name"]
                    text = "<p>" + v + "</p>"
                    text = jsonify({"t": text})
                    return text

                @app.route("/raw")
                def raw():
                    v = request.args["name"]
                    return {"name": v}
            """,
    )
    assert _findings(tmp_path) == [("CODE010", "app.py", 8), ("CODE010", "app.py", 15)]


# -- 3. host allowlist checks guard SSRF and redirects ---------------------------------------------

HOST_GUARDS = """\
import requests
from urllib.parse import urlparse, urlsplit
from flask import Flask, redirect, request
app = Flask(__name__)
ALLOWED = ("api.example.com", "status.example.com")

@app.route("/a")
def a():
    url = request.args["url"]
    if urlparse(url).hostname not in ALLOWED:
        return {"error": "bad"}
    return requests.get(url).text

@app.route("/b")
def b():
    url = request.args["url"]
    if urlsplit(url).netloc != "api.example.com":
        raise ValueError("bad host")
    args = {"v": url}
    return redirect(args["v"])

@app.route("/c")
def c():
    url = request.args["url"]
    host = urlparse(url).hostname
    if not host.endswith(".example.com"):
        return {"error": "bad"}
    return requests.get(url).text

@app.route("/d")
def d():
    url = request.args["url"]
    if not urlparse(url).hostname.endswith("example.com"):
        return {"error": "bad"}
    return requests.get(url).text

@app.route("/e")
def e():
    url = request.args["url"]
    if urlparse(url).hostname not in ALLOWED:
        return {"error": "bad"}
    return open("/srv/" + url).read()

@app.route("/f")
def f():
    url = request.args["url"]
    if urlparse(url).hostname in ALLOWED:
        print("allowed")
    return requests.get(url).text
"""


def test_python_host_allowlist_check_guards_ssrf_and_redirect_only(tmp_path: Path) -> None:
    _wsgi(tmp_path, HOST_GUARDS)
    result = run(tmp_path)
    got = sorted((f.rule_id, f.location.path, f.location.line, f.confidence) for f in result.findings)
    # /d: a suffix without its leading dot passes evil-example.com (lower confidence); /e: the host check
    # does not make the URL a safe file name; /f: the request is made whichever branch ran
    assert got == [
        ("CODE005", "app.py", 42, "high"),
        ("CODE006", "app.py", 35, "medium"),
        ("CODE006", "app.py", 49, "high"),
    ]


JS_HOST_GUARDS = """\
const express = require("express");
const serverlessExpress = require("@codegenie/serverless-express");
const axios = require("axios");
const app = express();
const ALLOWED = ["api.example.com", "status.example.com"];

app.get("/a", async (req, res) => {
  const v = req.query.url;
  if (new URL(v).hostname !== "www.example.com") {
    return res.status(400).json({ error: "bad" });
  }
  return res.redirect(v);
});

app.get("/b", async (req, res) => {
  const v = req.query.url;
  if (!ALLOWED.includes(new URL(v).host)) return res.status(400).end();
  const r = await axios.get(v);
  return res.json(r.data);
});

app.get("/c", async (req, res) => {
  const v = req.query.url;
  const u = new URL(v);
  if (!u.hostname.endsWith("example.com")) return res.status(400).end();
  return res.redirect(v);
});

app.get("/d", async (req, res) => {
  const v = req.query.url;
  if (new URL(v).hostname === "www.example.com") {
    console.log("ok");
  }
  return res.redirect(v);
});

app.get("/e", async (req, res) => {
  const v = req.query.url;
  const host = new URL(v).hostname;
  if (!host.endsWith(".example.com")) return res.status(400).end();
  return res.redirect(v);
});

exports.handler = serverlessExpress({ app });
"""


def test_javascript_host_allowlist_check_guards_ssrf_and_redirect(tmp_path: Path) -> None:
    node_app(tmp_path, {"app.js": JS_HOST_GUARDS}, event="httpApi: GET /x")
    result = run(tmp_path)
    got = sorted((f.rule_id, f.location.path, f.location.line, f.confidence) for f in result.findings)
    # /c: `endsWith("example.com")` passes evil-example.com (lower confidence); /d: redirects either way
    assert got == [("CODE011", "app.js", 26, "medium"), ("CODE011", "app.js", 34, "high")]


# -- 4. a method called on a new instance ------------------------------------------------------------


def test_python_method_called_on_a_new_instance_is_followed(tmp_path: Path) -> None:
    _wsgi(
        tmp_path,
        """\
            from flask import Flask, request
            import helpers
            from helpers import Local
            app = Flask(__name__)

            @app.route("/a")
            def a():
                return {"r": helpers.Service("eu").run(request.args["q"])}

            @app.route("/b")
            def b():
                result = Local("eu").run(request.args["q"])
                return {"r": result}
            """,
    )
    (tmp_path / "helpers.py").write_text(
        textwrap.dedent(
            """\
            import os


            class Service:
                def __init__(self, region):
                    self.region = region

                def run(self, value):
                    return os.system("nslookup " + value + " " + self.region)


            class Local:
                def __init__(self, region):
                    self.region = region

                def run(self, value):
                    return eval(value)
            """
        ),
        "utf-8",
    )
    assert _findings(tmp_path) == [("CODE002", "helpers.py", 9), ("CODE003", "helpers.py", 17)]


def test_javascript_method_called_on_a_new_instance_is_followed(tmp_path: Path) -> None:
    node_app(
        tmp_path,
        {
            "app.js": """\
                const express = require("express");
                const serverlessExpress = require("@codegenie/serverless-express");
                const { Service } = require("./service");
                const app = express();

                app.get("/a", async (req, res) => {
                  const out = await new Service("eu").run(req.query.q);
                  return res.json({ out });
                });

                exports.handler = serverlessExpress({ app });
                """,
            "service.js": """\
                const { execSync } = require("child_process");

                class Service {
                  constructor(region) {
                    this.region = region;
                  }

                  async run(value) {
                    return execSync("nslookup " + value);
                  }
                }

                module.exports = { Service };
                """,
        },
        event="httpApi: GET /x",
    )
    assert _findings(tmp_path) == [("CODE002", "service.js", 9)]
