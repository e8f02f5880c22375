"""Node web apps behind a Lambda adapter (serverless-http & co.): the routes of the app are what is analysed."""

from __future__ import annotations

from pathlib import Path

from fnaudit.engines.code.base import Analysis
from fnaudit.engines.code.files import FileCache
from fnaudit.engines.code.javascript.analyse import JsAnalyser
from fnaudit.engines.code.javascript.middy import router_routes
from fnaudit.engines.code.javascript.web import adapter_app, routes
from fnaudit.loaders.archives import Artifacts
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


# --- issue 13 §2: @h4ad/serverless-adapter, `x.route(...)` forms, @middy/http-router, the framework field ---


def analysis(root: Path, name: str = "h") -> Analysis:
    """The JavaScript analyser's own answer for the function (with `framework`)."""
    got = JsAnalyser(FileCache(root, Artifacts(root)), root).analyse(fn(run(root), name))
    assert got is not None
    return got


def declared(root: Path, handler_file: str, symbol: str = "handler") -> list[tuple[object, ...]]:
    """(method, path, declaring file, handler line, route line, validated, auth) of every route the handler runs."""
    analyser = JsAnalyser(FileCache(root, Artifacts(root)), root)
    module = analyser.graph.load(root / handler_file)
    assert module is not None
    app = adapter_app(analyser.graph, module, symbol, root)
    found = routes(analyser.graph, *app, root) if app else router_routes(analyser.graph, module, symbol, root)
    assert found is not None
    return [(r.method, r.path, r.declared_in, r.node.start_point[0] + 1, r.line, r.validated, r.auth) for r in found]


def web_routes(root: Path, name: str = "h") -> list[tuple[str, str, str, int, str]]:
    """(method, path, file, line, framework) of every route record of the function."""
    f = fn(run(root), name)
    assert f.code_facts is not None, f"{name} was not analysed"
    return [(r.method, r.path, r.loc.path, r.loc.line, r.framework) for r in f.code_facts.routes]


H4AD_APP = {
    "src/main.ts": """\
        import { ServerlessAdapter } from "@h4ad/serverless-adapter";
        import { ApiGatewayV2Adapter } from "@h4ad/serverless-adapter/adapters/aws";
        import { ExpressFramework } from "@h4ad/serverless-adapter/frameworks/express";
        import { DefaultHandler } from "@h4ad/serverless-adapter/handlers/default";
        import { PromiseResolver } from "@h4ad/serverless-adapter/resolvers/promise";
        import { app } from "./app";

        export const handler = ServerlessAdapter.new(app)
          .setFramework(new ExpressFramework())
          .setHandler(new DefaultHandler())
          .setResolver(new PromiseResolver())
          .addAdapter(new ApiGatewayV2Adapter())
          .build();
    """,
    "src/app.ts": """\
        import express from "express";
        import { reports } from "./reports";

        export const app = express();
        app.use("/reports", reports);
    """,
    "src/reports.ts": """\
        import { Router } from "express";
        import { exec, execFile } from "child_process";

        export const reports = Router();

        reports.get("/zip", (req, res) => {
          exec(`zip -r /tmp/r.zip /data/${req.query.day}`);
          res.sendStatus(202);
        });

        reports.get("/thumb", (req, res) => {
          execFile("/opt/bin/convert", ["in.png", "-resize", String(req.query.width), "out.png"]);
          res.sendStatus(204);
        });
    """,
}


def test_h4ad_serverless_adapter_builder_runs_the_express_app(tmp_path: Path) -> None:
    """`ServerlessAdapter.new(app)….build()` is an adapter: the app (imported from another file) and the router it
    mounts are analysed; `execFile` with a constant program stays quiet."""
    root = node_app(tmp_path, H4AD_APP, handler="src/main.handler", event="httpApi: '*'")
    assert web_flows(root) == [("command", "src/reports.ts", 7, "event.queryStringParameters.day", "exec")]
    assert web_routes(root) == [
        ("GET", "/reports/zip", "src/reports.ts", 6, "express"),
        ("GET", "/reports/thumb", "src/reports.ts", 11, "express"),
    ]
    assert fn(run(root), "h").framework == "express"


def test_h4ad_builder_kept_in_a_constant_with_a_koa_app(tmp_path: Path) -> None:
    files = {
        "lambda.js": """\
            const { ServerlessAdapter } = require("@h4ad/serverless-adapter");
            const { KoaFramework } = require("@h4ad/serverless-adapter/lib/frameworks/koa");
            const Koa = require("koa");
            const Router = require("@koa/router");
            const { exec } = require("child_process");

            const app = new Koa();
            const router = new Router();
            router.post("/run", (ctx) => { exec("run " + ctx.request.body.job); });
            app.use(router.routes());

            const adapter = ServerlessAdapter.new(app).setFramework(new KoaFramework());
            exports.handler = adapter.build();
        """
    }
    root = node_app(tmp_path, files, handler="lambda.handler")
    assert web_flows(root) == [("command", "lambda.js", 9, "event.body.job", "exec")]
    assert web_routes(root) == [("POST", "/run", "lambda.js", 9, "koa")]
    assert fn(run(root), "h").framework == "koa"


def test_h4ad_call_of_another_package_is_no_adapter(tmp_path: Path) -> None:
    """Trap: a `.new(app).build()` chain rooted in some other package runs nothing of the app."""
    files = {
        "lambda.js": """\
            const { Builder } = require("some-builder");
            const express = require("express");
            const { exec } = require("child_process");
            const app = express();
            app.get("/x", (req, res) => exec(req.query.cmd));
            exports.handler = Builder.new(app).build();
        """
    }
    root = node_app(tmp_path, files, handler="lambda.handler")
    assert web_flows(root) == []


def test_express_route_chains_register_each_method_at_its_line(tmp_path: Path) -> None:
    files = {
        "app.js": """\
            const serverless = require("serverless-http");
            const express = require("express");
            const { exec } = require("child_process");
            const users = require("./users");

            const app = express();
            const router = express.Router();

            router
              .route("/jobs/:id")
              .get((req, res) => res.send(`<p>${req.params.id}</p>`))
              .post(users.requireUser, (req, res) => exec("run " + req.body.cmd));

            app.route("/ping").all((req, res) => res.redirect(req.query.to));
            app.use("/api", router);
            module.exports.handler = serverless(app);
        """,
        "users.js": """\
            exports.requireUser = (req, res, next) => next();
        """,
    }
    root = node_app(tmp_path, files, handler="app.handler")
    assert web_flows(root) == [
        ("xss", "app.js", 11, "event.pathParameters.id", "res.send"),
        ("command", "app.js", 12, "event.body.cmd", "exec"),
        ("redirect", "app.js", 14, "event.queryStringParameters.to", "res.redirect"),
    ]
    # each record at the line of its method, in the file that declares it (not the middleware's users.js)
    assert sorted(set(web_routes(root))) == [
        ("ANY", "/ping", "app.js", 14, "express"),
        ("GET", "/api/jobs/:id", "app.js", 11, "express"),
        ("POST", "/api/jobs/:id", "app.js", 12, "express"),
    ]
    f = fn(run(root), "h")
    assert f.code_facts is not None
    post = [r for r in f.code_facts.routes if r.method == "POST"]
    assert {r.auth for r in post} == {"users.requireUser"}


FASTIFY_ROUTES = {
    "src/lambda.js": """\
        const awsLambdaFastify = require("@fastify/aws-lambda");
        const app = require("./app");
        exports.handler = awsLambdaFastify(app);
    """,
    "src/app.js": """\
        const fastify = require("fastify");
        const { exec, execFile } = require("child_process");
        const { verifyToken } = require("./auth");

        const app = fastify();

        const byId = {
          schema: { params: { type: "object", properties: { id: { type: "integer" } } } },
        };

        app.route({
          method: ["GET", "POST"],
          url: "/jobs/:id",
          preHandler: [verifyToken],
          schema: byId.schema,
          handler: async (request, reply) => {
            exec("show " + request.params.id);
            exec("tag " + request.query.tag);
          },
        });

        app.route({
          method: "DELETE",
          path: "/files/:name",
          handler(request) {
            execFile("/bin/rm", ["--", request.params.name]);
            exec("rm /data/" + request.params.name);
          },
        });

        app.get("/search", { schema: { querystring: { type: "object", properties: { q: { type: "string" },
          kind: { enum: ["a", "b"] } } } } }, async (request) => {
          exec("grep " + request.query.kind);
          exec("grep " + request.query.q);
        });

        module.exports = app;
    """,
    "src/auth.js": """\
        exports.verifyToken = async (request) => {
          if (!request.headers.authorization) throw new Error("unauthorised");
        };
    """,
}


def test_fastify_route_options_and_their_schema(tmp_path: Path) -> None:
    """`app.route({ method, url | path, handler, preHandler, schema })` and the shorthand with options: what the
    schema closes (an integer, an enum) is no source for the handler; an open string stays one."""
    root = node_app(tmp_path, FASTIFY_ROUTES, handler="src/lambda.handler", event="http: ANY /{proxy+}")
    assert web_flows(root) == [
        ("command", "src/app.js", 18, "event.queryStringParameters.tag", "exec"),
        ("command", "src/app.js", 27, "event.pathParameters.name", "exec"),
        ("command", "src/app.js", 34, "event.queryStringParameters.q", "exec"),
    ]
    q = ("queryStringParameters", "kind")
    assert declared(root, "src/lambda.js") == [
        ("GET", "/jobs/:id", "src/app.js", 1, 11, (("pathParameters", "id"),), "verifyToken"),  # preHandler (auth.js)
        ("GET", "/jobs/:id", "src/app.js", 16, 11, (("pathParameters", "id"),), "verifyToken"),
        ("POST", "/jobs/:id", "src/app.js", 1, 11, (("pathParameters", "id"),), "verifyToken"),
        ("POST", "/jobs/:id", "src/app.js", 16, 11, (("pathParameters", "id"),), "verifyToken"),
        ("DELETE", "/files/:name", "src/app.js", 25, 22, (), None),
        ("GET", "/search", "src/app.js", 32, 31, (q,), None),
    ]
    assert analysis(root).framework == "fastify"


def test_fastify_hook_before_validation_still_sees_the_raw_parameter(tmp_path: Path) -> None:
    """`onRequest` runs before Fastify validates: the schema does not hold there."""
    files = {
        "lambda.mjs": """\
            import awsLambdaFastify from "@fastify/aws-lambda";
            import Fastify from "fastify";
            import { exec } from "node:child_process";
            const app = Fastify();
            app.route({
              method: "GET",
              url: "/n/:id",
              schema: { params: { properties: { id: { type: "integer" } } } },
              onRequest: async (request) => { exec("log " + request.params.id); },
              handler: async (request) => { exec("show " + request.params.id); },
            });
            export const handler = awsLambdaFastify(app);
        """
    }
    root = node_app(tmp_path, files, handler="lambda.handler")
    assert web_flows(root) == [("command", "lambda.mjs", 9, "event.pathParameters.id", "exec")]


MIDDY_APP = {
    "src/handler.mjs": """\
        import middy from "@middy/core";
        import httpRouterHandler from "@middy/http-router";
        import httpHeaderNormalizer from "@middy/http-header-normalizer";
        import { routes } from "./routes.mjs";

        export const handler = middy()
          .use(httpHeaderNormalizer())
          .handler(httpRouterHandler(routes));
    """,
    "src/routes.mjs": """\
        import { getUser, deleteUser } from "./users.mjs";
        import * as reports from "./reports.mjs";

        const adminRoutes = [{ method: "DELETE", path: "/users/{id}", handler: deleteUser }];

        export const routes = [
          { method: "GET", path: "/users/{id}", handler: getUser },
          { method: "POST", path: "/reports", handler: reports.create },
          ...adminRoutes,
        ];
    """,
    "src/users.mjs": """\
        import middy from "@middy/core";
        import validator from "@middy/validator";
        import { transpileSchema } from "@middy/validator/transpile";
        import mysql from "mysql2/promise";
        import { idSchema } from "./schemas.mjs";

        const pool = mysql.createPool({ host: process.env.DB_HOST });

        const getUserBase = async (event) => {
          const [rows] = await pool.query(`SELECT * FROM users WHERE id = ${event.pathParameters.id}`);
          return { statusCode: 200, body: JSON.stringify(rows) };
        };
        export const getUser = middy(getUserBase).use(validator({ eventSchema: transpileSchema(idSchema) }));

        export const deleteUser = middy().handler(async (event) => {
          await pool.query(`DELETE FROM users WHERE id = '${event.pathParameters.id}'`);
          return { statusCode: 204 };
        });
    """,
    "src/schemas.mjs": """\
        export const idSchema = {
          type: "object",
          properties: { pathParameters: { type: "object", properties: { id: { type: "integer" } } } },
        };
    """,
    "src/reports.mjs": """\
        import { exec, execFile } from "node:child_process";

        export async function create(event) {
          const body = JSON.parse(event.body);
          execFile("/usr/bin/pdftk", [body.file, "output", "/tmp/out.pdf"]);
          exec(`lp -d ${body.printer} /tmp/out.pdf`);
          return { statusCode: 202 };
        }
    """,
}


def test_middy_http_router_handlers_receive_the_event(tmp_path: Path) -> None:
    """Routes imported from another module (with a spread); each handler gets the Lambda event itself, so
    `event.pathParameters.id` is the path parameter; a `@middy/validator` schema closing it silences the query."""
    root = node_app(tmp_path, MIDDY_APP, handler="src/handler.handler", event="httpApi: '*'")
    assert web_flows(root) == [
        ("command", "src/reports.mjs", 6, "event.body.printer", "exec"),
        ("sql", "src/users.mjs", 16, "event.pathParameters.id", "pool.query"),
    ]
    assert declared(root, "src/handler.mjs") == [
        ("GET", "/users/{id}", "src/routes.mjs", 9, 7, (("pathParameters", "id"),), None),
        ("POST", "/reports", "src/routes.mjs", 3, 8, (), None),
        ("DELETE", "/users/{id}", "src/routes.mjs", 15, 4, (), None),
    ]
    assert sorted(set(web_routes(root))) == [
        ("DELETE", "/users/{id}", "src/routes.mjs", 4, "middy-http-router"),
        ("GET", "/users/{id}", "src/routes.mjs", 7, "middy-http-router"),
        ("POST", "/reports", "src/routes.mjs", 8, "middy-http-router"),
    ]
    assert analysis(root).framework == "middy-http-router"
    f = fn(run(root), "h")
    assert f.code_facts is not None
    flow = next(fl for fl in f.code_facts.flows if fl.sink.kind == "sql")
    assert (flow.steps[0].loc.path, flow.steps[0].loc.line) == ("src/routes.mjs", 4)


def test_middy_router_wrapped_directly_with_a_routes_option(tmp_path: Path) -> None:
    files = {
        "index.js": """\
            const middy = require("@middy/core");
            const httpRouterHandler = require("@middy/http-router");
            const { exec } = require("child_process");

            const list = (event) => { exec("ls " + event.queryStringParameters.dir); };
            const routes = [{ method: "GET", path: "/files", handler: list }];

            exports.handler = middy(httpRouterHandler({ routes, notFoundResponse: () => ({ statusCode: 404 }) }));
        """
    }
    root = node_app(tmp_path, files, handler="index.handler")
    assert web_flows(root) == [("command", "index.js", 5, "event.queryStringParameters.dir", "exec")]


def test_plain_middy_handler_is_no_router(tmp_path: Path) -> None:
    """Trap: `middy(fn).use(...)` without the router stays the handler it wraps."""
    files = {
        "index.js": """\
            const middy = require("@middy/core");
            const jsonBodyParser = require("@middy/http-json-body-parser");
            const { exec } = require("child_process");
            const base = async (event) => { exec("echo " + event.body.msg); };
            exports.handler = middy(base).use(jsonBodyParser());
        """
    }
    root = node_app(tmp_path, files, handler="index.handler")
    assert web_flows(root) == [("command", "index.js", 4, "event.body.msg", "exec")]
    assert analysis(root).framework is None


def test_route_trace_points_at_the_file_that_declares_the_route(tmp_path: Path) -> None:
    """Regression: a route whose handler lives in another file (`router.get(p, controller.show)`) was located at the
    controller's file with the router's line number."""
    files = {
        "app.js": """\
            const serverless = require("serverless-http");
            const express = require("express");
            const controller = require("./controller");

            const app = express();
            app.get("/show", controller.show);
            module.exports.handler = serverless(app);
        """,
        "controller.js": """\
            const { exec } = require("child_process");
            exports.show = (req, res) => exec("cat " + req.query.f);
        """,
    }
    root = node_app(tmp_path, files, handler="app.handler")
    f = fn(run(root), "h")
    assert f.code_facts is not None
    (flow,) = f.code_facts.flows
    assert (flow.steps[0].loc.path, flow.steps[0].loc.line, flow.steps[0].note) == (
        "app.js",
        6,
        "GET /show receives the request",
    )
    assert [(r.method, r.path, r.loc.path, r.loc.line) for r in f.code_facts.routes] == [("GET", "/show", "app.js", 6)]


def test_h4ad_hapi_route_table(tmp_path: Path) -> None:
    """Hapi behind the h4ad adapter: `server.route([...])` route objects, `request.payload` is the body, and the
    route's `options.auth` is its authentication."""
    files = {
        "lambda.js": """\
            const { ServerlessAdapter } = require("@h4ad/serverless-adapter");
            const { HapiFramework } = require("@h4ad/serverless-adapter/lib/frameworks/hapi");
            const Hapi = require("@hapi/hapi");
            const { exec } = require("child_process");

            const server = Hapi.server();
            server.route([
              { method: "GET", path: "/a/{id}", handler: (request) => exec("a " + request.params.id) },
              {
                method: "POST",
                path: "/b",
                options: { auth: "jwt" },
                handler: (request) => { exec("b " + request.payload.x); return "ok"; },
              },
            ]);
            exports.handler = ServerlessAdapter.new(server).setFramework(new HapiFramework()).build();
        """
    }
    root = node_app(tmp_path, files, handler="lambda.handler")
    assert web_flows(root) == [
        ("command", "lambda.js", 8, "event.pathParameters.id", "exec"),
        ("command", "lambda.js", 13, "event.body.x", "exec"),
    ]
    assert [r[:2] + r[4:] for r in declared(root, "lambda.js")] == [
        ("GET", "/a/{id}", 8, (), None),
        ("POST", "/b", 9, (), "jwt"),
    ]
    assert fn(run(root), "h").framework == "hapi"


def test_fastify_schema_pattern_closes_only_an_anchored_word_pattern(tmp_path: Path) -> None:
    files = {
        "lambda.js": """\
            const awsLambdaFastify = require("@fastify/aws-lambda");
            const app = require("fastify")();
            const { exec } = require("child_process");
            const slug = { type: "string", pattern: "^[a-z0-9-]{1,40}$" };
            const loose = { type: "string", pattern: "^.*$" };
            app.get("/p/:slug/:name", { schema: { params: { properties: { slug, name: loose } } } }, async (req) => {
              exec("show " + req.params.slug);
              exec("show " + req.params.name);
            });
            exports.handler = awsLambdaFastify(app);
        """
    }
    root = node_app(tmp_path, files, handler="lambda.handler")
    assert web_flows(root) == [("command", "lambda.js", 8, "event.pathParameters.name", "exec")]
    assert fn(run(root), "h").framework == "fastify"


def test_h4ad_lazy_framework_factory_returns_the_app(tmp_path: Path) -> None:
    """`ServerlessAdapter.new(null)` with `new LazyFramework(new ExpressFramework(), factory)`: the routes are
    registered, inside the factory, on the variable it returns."""
    files = {
        "src/main.mjs": """\
            import { ServerlessAdapter } from "@h4ad/serverless-adapter";
            import { ExpressFramework } from "@h4ad/serverless-adapter/frameworks/express";
            import { LazyFramework } from "@h4ad/serverless-adapter/frameworks/lazy";
            import { createApp } from "./app.mjs";

            const framework = new LazyFramework(new ExpressFramework(), async () => createApp());

            export const handler = ServerlessAdapter.new(null).setFramework(framework).build();
        """,
        "src/app.mjs": """\
            import express from "express";
            import { exec } from "node:child_process";

            export async function createApp() {
              const app = express();
              app.get("/run", (req, res) => exec("run " + req.query.job));
              return app;
            }
        """,
    }
    root = node_app(tmp_path, files, handler="src/main.handler")
    assert web_flows(root) == [("command", "src/app.mjs", 6, "event.queryStringParameters.job", "exec")]
    assert fn(run(root), "h").framework == "express"


def test_adapter_of_an_app_made_by_a_factory_of_another_module(tmp_path: Path) -> None:
    """`const app = createApp(); serverless(app)` and `serverlessExpress({ app: buildApp() })`: the factory's
    returned app is analysed (regression: its routes were never found)."""
    files = {
        "a.js": """\
            const serverless = require("serverless-http");
            const { createApp } = require("./factory");
            const app = createApp();
            exports.handler = serverless(app);
        """,
        "b.js": """\
            const serverlessExpress = require("@codegenie/serverless-express");
            const { createApp } = require("./factory");
            exports.handler = serverlessExpress({ app: createApp() });
        """,
        "factory.js": """\
            const express = require("express");
            const { exec } = require("child_process");
            exports.createApp = () => {
              const app = express();
              app.post("/x", (req, res) => exec("x " + req.body.y));
              return app;
            };
        """,
    }
    functions = (
        "a:\n  handler: a.handler\n  runtime: nodejs22.x\n  events:\n    - httpApi: POST /x\n"
        "b:\n  handler: b.handler\n  runtime: nodejs22.x\n  events:\n    - httpApi: POST /x\n"
    )
    root = node_app(tmp_path, files, functions=functions)
    for name in ("a", "b"):
        assert web_flows(root, name) == [("command", "factory.js", 5, "event.body.y", "exec")]


def test_fastify_typebox_schema_closes_what_it_types(tmp_path: Path) -> None:
    """TypeBox builders are the JSON schema they build: an integer, a union of literals and a uuid string are closed;
    a plain `Type.String()` and a union with a free string are not."""
    files = {
        "lambda.ts": """\
            import awsLambdaFastify from "@fastify/aws-lambda";
            import Fastify from "fastify";
            import { Type } from "@sinclair/typebox";
            import { exec } from "node:child_process";

            const app = Fastify();
            const Query = Type.Object({
              n: Type.Integer(),
              mode: Type.Union([Type.Literal("fast"), Type.Literal("safe")]),
              id: Type.Optional(Type.String({ format: "uuid" })),
              name: Type.String(),
              tag: Type.Union([Type.Literal("a"), Type.String()]),
            });
            app.get("/q", { schema: { querystring: Query } }, async (request: any) => {
              exec(`run ${request.query.n} ${request.query.mode} ${request.query.id}`);
              exec("name " + request.query.name);
              exec("tag " + request.query.tag);
            });
            export const handler = awsLambdaFastify(app);
        """
    }
    root = node_app(tmp_path, files, handler="lambda.handler")
    assert web_flows(root) == [
        ("command", "lambda.ts", 16, "event.queryStringParameters.name", "exec"),
        ("command", "lambda.ts", 17, "event.queryStringParameters.tag", "exec"),
    ]
