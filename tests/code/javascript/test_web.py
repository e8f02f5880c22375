"""Node web apps behind a Lambda adapter (serverless-http & co.): the routes of the app are what is analysed."""

from __future__ import annotations

from pathlib import Path

from tests.code.helpers import fn, run
from tests.code.javascript.helpers import node_app


def web_flows(root: Path, name: str = "h") -> list[tuple[str, str, int, str, str]]:
    """(sink kind, file, line, source path, sink call) of every flow of the function."""
    f = fn(run(root), name)
    assert f.code_facts is not None, f"{name} was not analysed"
    return [
        (fl.sink.kind, fl.sink.loc.path, fl.sink.loc.line, fl.source.path, fl.sink.call) for fl in f.code_facts.flows
    ]


EXPRESS_APP = {
    "src/handler.js": """\
        const serverless = require("serverless-http");
        const app = require("./app");

        module.exports.handler = serverless(app);
    """,
    "src/app.js": """\
        const express = require("express");
        const reports = require("./routes/reports");
        const { requireAuth } = require("./lib/auth");

        const app = express();
        app.use(express.json());

        app.get("/hello", (req, res) => {
          res.send(`<h1>Hello ${req.query.name}</h1>`);
        });

        app.get("/go", (req, res) => {
          res.redirect(302, req.query.next);
        });

        app.use("/reports", requireAuth, reports);

        module.exports = app;
    """,
    "src/routes/reports.js": """\
        const express = require("express");
        const { exec, execFile } = require("child_process");

        const router = express.Router();

        router.get("/archive", (req, res) => {
          exec(`tar czf /tmp/out.tgz /data/${req.query.day}`, () => res.json({ ok: true }));
        });

        router.post("/convert", async (req, res) => {
          execFile("/usr/bin/convert", ["in.png", "-resize", req.body.width, "out.png"], () => res.sendStatus(202));
        });

        router.get("/me", (req, res) => {
          exec("finger " + req.user.name);
        });

        module.exports = router;
    """,
    "src/lib/auth.js": """\
        exports.requireAuth = (req, res, next) => {
          if (!req.headers.authorization) {
            return res.status(401).json({ error: "unauthorised" });
          }
          return next();
        };
    """,
}


def test_express_app_behind_serverless_http_is_analysed_through_its_routes(tmp_path: Path) -> None:
    """Routes in the app's file and in a router mounted from another file behind an auth middleware; `execFile`
    with a constant program and an argument array runs no shell; `req.user` is set by the app, not the caller."""
    root = node_app(tmp_path, EXPRESS_APP, handler="src/handler.handler", event="httpApi: '*'")
    assert web_flows(root) == [
        ("xss", "src/app.js", 9, "event.queryStringParameters.name", "res.send"),
        ("redirect", "src/app.js", 13, "event.queryStringParameters.next", "res.redirect"),
        ("command", "src/routes/reports.js", 7, "event.queryStringParameters.day", "exec"),
    ]
    f = fn(run(root), "h")
    assert f.code_facts is not None and f.code_facts.handler_found
    assert "src/routes/reports.js" in f.code_facts.files and "src/lib/auth.js" in f.code_facts.files


def test_express_route_trace_starts_at_the_route(tmp_path: Path) -> None:
    root = node_app(tmp_path, EXPRESS_APP, handler="src/handler.handler", event="httpApi: '*'")
    f = fn(run(root), "h")
    assert f.code_facts is not None
    flow = next(fl for fl in f.code_facts.flows if fl.sink.kind == "command")
    # the route's own declaration, with the path it is mounted at
    assert (flow.steps[0].loc.path, flow.steps[0].loc.line) == ("src/routes/reports.js", 6)
    assert flow.steps[0].note == "GET /reports/archive receives the request"
    assert flow.source.confidence == "high"


def test_koa_router_context_parts_are_sources(tmp_path: Path) -> None:
    files = {
        "lambda.js": """\
            const serverless = require("serverless-http");
            const Koa = require("koa");
            const Router = require("@koa/router");
            const { exec } = require("child_process");

            const app = new Koa();
            const router = new Router();

            router.get("/users/:id", async (ctx) => {
              exec("id " + ctx.params.id);
              exec("echo " + ctx.request.body.x);
              ctx.redirect(ctx.query.next);
              exec("echo " + ctx.state.user);
            });

            app.use(router.routes()).use(router.allowedMethods());
            module.exports.handler = serverless(app);
        """
    }
    root = node_app(tmp_path, files, handler="lambda.handler")
    assert web_flows(root) == [
        ("command", "lambda.js", 10, "event.pathParameters.id", "exec"),
        ("command", "lambda.js", 11, "event.body.x", "exec"),
        ("redirect", "lambda.js", 12, "event.queryStringParameters.next", "ctx.redirect"),
    ]


FASTIFY_APP = {
    "src/lambda.mjs": """\
        import awsLambdaFastify from "@fastify/aws-lambda";
        import { app } from "./app.mjs";

        export const handler = awsLambdaFastify(app);
    """,
    "src/app.mjs": """\
        import Fastify from "fastify";
        import orders from "./plugins/orders.mjs";

        export const app = Fastify({ logger: true });

        app.register(orders, { prefix: "/orders" });

        app.get("/ping", async (request, reply) => reply.send(`pong ${request.query.q}`));
    """,
    "src/plugins/orders.mjs": """\
        import mysql from "mysql2/promise";

        const pool = mysql.createPool({ host: process.env.DB_HOST });

        export default async function orders(fastify) {
          fastify.get("/:id", async (request, reply) => {
            const [rows] = await pool.query(`SELECT * FROM orders WHERE id = ${request.params.id}`);
            return rows;
          });
          fastify.get("/", async (request) => {
            const [rows] = await pool.query("SELECT * FROM orders WHERE status = ?", [request.query.status]);
            return rows;
          });
        }
    """,
}


def test_fastify_plugin_routes_behind_fastify_aws_lambda(tmp_path: Path) -> None:
    """A plugin registered from another file (`export default async function`); a parameterised query is no
    finding; Fastify's `reply.send` of a string is text/plain, not HTML."""
    root = node_app(tmp_path, FASTIFY_APP, handler="src/lambda.handler", event="http: ANY /{proxy+}")
    assert web_flows(root) == [
        ("sql", "src/plugins/orders.mjs", 7, "event.pathParameters.id", "pool.query"),
    ]
    f = fn(run(root), "h")
    assert f.code_facts is not None
    assert f.code_facts.flows[0].steps[0].note == "GET /orders/:id receives the request"  # the plugin's prefix


def test_vendia_serverless_express_with_app_option(tmp_path: Path) -> None:
    files = {
        "app.mjs": """\
            import serverlessExpress from "@vendia/serverless-express";
            import express from "express";
            const app = express();
            app.post("/x", (req, res) => res.send(req.body.html));
            export const handler = serverlessExpress({ app });
        """
    }
    root = node_app(tmp_path, files, handler="app.handler")
    assert web_flows(root) == [("xss", "app.mjs", 4, "event.body.html", "res.send")]


def test_aws_serverless_express_proxy_handler(tmp_path: Path) -> None:
    files = {
        "lambda.js": """\
            const awsServerlessExpress = require("aws-serverless-express");
            const express = require("express");
            const app = express();
            app.delete("/y/:id", function (req, res) { res.write(req.params.id); });
            const server = awsServerlessExpress.createServer(app);
            exports.handler = (event, context) => awsServerlessExpress.proxy(server, event, context);
        """
    }
    root = node_app(tmp_path, files, handler="lambda.handler")
    assert web_flows(root) == [("xss", "lambda.js", 4, "event.pathParameters.id", "res.write")]


def test_res_send_outside_a_parameter_is_no_sink(tmp_path: Path) -> None:
    """Only a parameter of the function is a response object: a local `res` (a fetch's, a mock's) is not."""
    files = {
        "app.js": """\
            const client = require("./client");
            exports.handler = async (event) => {
              const res = client.open();
              res.send(event.body);
              res.redirect(event.queryStringParameters.next);
              return { statusCode: 200 };
            };
        """,
        "client.js": "exports.open = () => ({ send() {}, redirect() {} });\n",
    }
    root = node_app(tmp_path, files, handler="app.handler")
    assert web_flows(root) == []


def test_queue_triggered_app_routes_are_medium_or_absent(tmp_path: Path) -> None:
    """Severity follows the function's triggers: behind a schedule the request carries nothing from a caller."""
    root = node_app(tmp_path, EXPRESS_APP, handler="src/handler.handler", event="schedule: rate(1 hour)")
    assert web_flows(root) == []


def test_express_validator_chains_sanitise_what_they_constrain(tmp_path: Path) -> None:
    """A converter (`toInt()`) rewrites the value; a validator counts only where the route reads
    `validationResult(req)`; a field nobody validated stays a source."""
    files = {
        "app.js": """\
            const serverless = require("serverless-http");
            const express = require("express");
            const { query, param, validationResult } = require("express-validator");
            const { exec } = require("child_process");

            const app = express();

            app.get("/a", query("n").toInt(), (req, res) => {
              exec("seq " + req.query.n);
              exec("echo " + req.query.other);
            });

            app.get("/b/:id", [param("id").isUUID()], (req, res) => {
              if (!validationResult(req).isEmpty()) return res.status(400).end();
              exec("show " + req.params.id);
            });

            app.get("/c/:id", param("id").isUUID(), (req, res) => {
              exec("show " + req.params.id);
            });

            module.exports.handler = serverless(app);
        """
    }
    root = node_app(tmp_path, files, handler="app.handler")
    assert web_flows(root) == [
        ("command", "app.js", 10, "event.queryStringParameters.other", "exec"),
        ("command", "app.js", 19, "event.pathParameters.id", "exec"),
    ]


def test_parent_relative_require_names_the_module_once(tmp_path: Path) -> None:
    """`require("../lib/db")` from `src/routes/` is `src/lib/db.js`, not `src/routes/../lib/db.js` (regression)."""
    files = {
        "src/routes/h.js": """\
            const { run } = require("../lib/db");
            exports.handler = async (event) => run(event.body);
        """,
        "src/lib/db.js": """\
            const mysql = require("mysql2/promise");
            const pool = mysql.createPool({});
            exports.run = (q) => pool.query("SELECT " + q);
        """,
    }
    root = node_app(tmp_path, files, handler="src/routes/h.handler")
    assert web_flows(root) == [("sql", "src/lib/db.js", 3, "event.body", "pool.query")]
    f = fn(run(root), "h")
    assert f.code_facts is not None and f.code_facts.files == ("src/routes/h.js", "src/lib/db.js")


def test_default_exported_function_declaration_is_the_default_export(tmp_path: Path) -> None:
    """`export default async function name()` is importable as the default (regression: only `name` was)."""
    files = {
        "app.mjs": """\
            import run from "./db.mjs";
            export const handler = async (event) => run(event.body);
        """,
        "db.mjs": """\
            import mysql from "mysql2/promise";
            const pool = mysql.createPool({});
            export default async function query(q) { return pool.query("SELECT " + q); }
        """,
    }
    root = node_app(tmp_path, files, handler="app.handler")
    assert web_flows(root) == [("sql", "db.mjs", 3, "event.body", "pool.query")]
