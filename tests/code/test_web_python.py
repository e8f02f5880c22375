"""Flask and FastAPI apps behind a Lambda adapter (serverless-wsgi, Mangum, apig-wsgi): each route is an entry."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.code.helpers import fn, run, write_app

WSGI = """\
api:
  handler: wsgi_handler.handler
  events:
    - http:
        path: /{proxy+}
        method: ANY
"""
CUSTOM = "custom:\n  wsgi:\n    app: app.app\n"


def _wsgi_app(tmp_path: Path, files: dict[str, str]) -> Path:
    root = write_app(tmp_path, WSGI, files)
    (root / "serverless.yml").write_text(
        (root / "serverless.yml").read_text(encoding="utf-8") + CUSTOM, encoding="utf-8"
    )
    return root


def _flows(tmp_path: Path, name: str = "api") -> list[tuple[str, str, str, int]]:
    f = fn(run(tmp_path), name)
    assert f.code_facts is not None and f.code_facts.handler_found
    return sorted((fl.sink.kind, fl.source.path, fl.sink.loc.path, fl.sink.loc.line) for fl in f.code_facts.flows)


def test_serverless_wsgi_function_runs_the_app_custom_wsgi_names(tmp_path: Path) -> None:
    _wsgi_app(tmp_path, {"app.py": "from flask import Flask\napp = Flask(__name__)\n"})
    f = fn(run(tmp_path), "api")
    assert (f.handler.value, f.framework) == ("wsgi_handler.handler", "wsgi")
    assert (f.code.handler_file, f.code.handler_symbol) == ("app.py", "app")


def test_flask_request_parts_and_route_variables_are_sources(tmp_path: Path) -> None:
    _wsgi_app(
        tmp_path,
        {
            "app.py": """\
                import os, subprocess
                from flask import Flask, request
                app = Flask(__name__)

                @app.route("/run", methods=["POST"])
                def run_it():
                    os.system(request.form["cmd"])
                    eval(request.get_json()["expr"])
                    subprocess.run(request.headers.get("X-Cmd"), shell=True)
                    return "ok"

                @app.route("/files/<name>")
                def read(name):
                    return open("/data/" + name).read()

                def not_a_route(cmd):
                    os.system(cmd)
            """
        },
    )
    assert _flows(tmp_path) == [
        ("code", "event.body.expr", "app.py", 8),
        ("command", "event.body.cmd", "app.py", 7),
        ("command", "event.headers.X-Cmd", "app.py", 9),
        ("path", "event.pathParameters.name", "app.py", 14),
    ]


def test_blueprints_count_only_when_the_app_registers_them(tmp_path: Path) -> None:
    _wsgi_app(
        tmp_path,
        {
            "app.py": """\
                from flask import Flask
                from views import admin, orders
                app = Flask(__name__)
                app.register_blueprint(orders.bp, url_prefix="/orders")
            """,
            "views/__init__.py": "",
            "views/orders.py": """\
                import os
                from flask import Blueprint, request
                bp = Blueprint("orders", __name__)

                @bp.get("/export")
                def export():
                    os.system("export " + request.args["fmt"])
                    return ""
            """,
            "views/admin.py": """\
                import os
                from flask import Blueprint, request
                bp_admin = Blueprint("admin", __name__)

                @bp_admin.get("/never-served")
                def never():
                    os.system(request.args["x"])
                    return ""
            """,
        },
    )
    assert _flows(tmp_path) == [("command", "event.queryStringParameters.fmt", "views/orders.py", 7)]


def test_flask_view_text_is_html_but_json_and_escaped_text_are_not(tmp_path: Path) -> None:
    _wsgi_app(
        tmp_path,
        {
            "app.py": """\
                from flask import Flask, jsonify, redirect, request
                from markupsafe import escape
                app = Flask(__name__)

                @app.route("/a/<who>")
                def a(who):
                    return "<b>" + who + "</b>", 200

                @app.route("/b/<who>")
                def b(who):
                    return jsonify({"who": who})

                @app.route("/c")
                def c():
                    return f"<i>{escape(request.args['q'])}</i>"

                @app.route("/d")
                def d():
                    return {"q": request.args["q"]}

                @app.route("/e")
                def e():
                    return redirect(request.values["next"])
            """
        },
    )
    assert _flows(tmp_path) == [
        ("redirect", "event.queryStringParameters.next", "app.py", 23),
        ("xss", "event.pathParameters.who", "app.py", 7),
    ]


def test_fastapi_behind_mangum_typed_parameters(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        "api:\n  handler: main.handler\n  events:\n    - httpApi: '*'\n",
        {
            "main.py": """\
                import os
                from fastapi import Depends, FastAPI, Header, Query
                from fastapi.responses import HTMLResponse
                from mangum import Mangum
                from pydantic import BaseModel
                app = FastAPI()

                class Job(BaseModel):
                    command: str

                def current_user():
                    return "me"

                @app.get("/items/{item_id}")
                def item(item_id: str, q: str = "", user: str = Depends(current_user)):
                    os.system(item_id)
                    os.system(q)
                    os.system(user)
                    return f"<p>{q}</p>"

                @app.post("/jobs")
                async def job(body: Job, x_trace: str = Header(None)):
                    os.system(body.command)
                    os.system(x_trace)

                @app.get("/search")
                def search(*, term: str = Query(""), page=1):
                    os.system(term)

                @app.get("/page/{title}", response_class=HTMLResponse)
                def page(title: str, q: str = ""):
                    if q:
                        return HTMLResponse(content="<i>" + q + "</i>")
                    return f"<h1>{title}</h1>"

                handler = Mangum(app, lifespan="off")
            """
        },
    )
    assert _flows(tmp_path) == [
        ("command", "event.body.command", "main.py", 23),
        ("command", "event.headers.x_trace", "main.py", 24),
        ("command", "event.pathParameters.item_id", "main.py", 16),
        ("command", "event.queryStringParameters.q", "main.py", 17),
        ("command", "event.queryStringParameters.term", "main.py", 28),
        ("xss", "event.pathParameters.title", "main.py", 34),
        ("xss", "event.queryStringParameters.q", "main.py", 33),
    ]


def test_apig_wsgi_handler_and_a_non_app_handler(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        "api:\n  handler: web.handler\n  events:\n    - httpApi: '*'\n"
        "other:\n  handler: other.handler\n  events:\n    - httpApi: '*'\n",
        {
            "web.py": """\
                import os
                from apig_wsgi import make_lambda_handler
                from flask import Flask, request
                app = Flask(__name__)

                @app.post("/x")
                def x():
                    os.system(request.data)
                    return ""

                handler = make_lambda_handler(app)
            """,
            # an object that is no web app: its decorated functions are not routes
            "other.py": """\
                import os
                from somewhere import Thing
                thing = Thing()

                @thing.get("/y")
                def y(v):
                    os.system(v)

                handler = thing
            """,
        },
    )
    assert _flows(tmp_path) == [("command", "event.body", "web.py", 8)]
    other = fn(run(tmp_path), "other")
    assert other.code_facts is not None and not other.code_facts.handler_found


def test_signing_keys_are_secrets_whatever_their_entropy(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        WSGI,
        {
            "app.py": """\
                from flask import Flask
                app = Flask(__name__)
                app.secret_key = "orders-cookie-signer"
                app.config["SECRET_KEY"] = "changeme"
            """,
            "settings.py": 'SECRET_KEY = "shopkey1"\n',
        },
    )
    (tmp_path / "serverless.yml").write_text(
        (tmp_path / "serverless.yml").read_text(encoding="utf-8") + CUSTOM + "package:\n  patterns: ['**']\n",
        encoding="utf-8",
    )
    result = run(tmp_path, ("SECRET002",))
    # "changeme" is the signing key once deployed: reported too (issue 14, secrets widened)
    assert sorted((f.rule_id, f.location.path, f.location.line) for f in result.findings) == [
        ("SECRET002", "app.py", 3),
        ("SECRET002", "app.py", 4),
    ]
    assert "orders-cookie-signer" not in result.findings[0].message


def test_handler_handing_the_event_to_the_app_runs_its_routes(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        "api:\n  handler: web.lambda_handler\n  events:\n    - httpApi: '*'\n",
        {
            "web.py": """\
                import os
                import awsgi
                from flask import Flask, request
                app = Flask(__name__)

                @app.get("/x")
                def x():
                    os.system(request.cookies["c"])
                    return ""

                def lambda_handler(event, context):
                    return awsgi.response(app, event, context)
            """,
        },
    )
    assert _flows(tmp_path) == [("command", "event.cookies.c", "web.py", 8)]


DJANGO_WSGI = """\
    import os
    from django.core.wsgi import get_wsgi_application
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    application = get_wsgi_application()
"""


def _django_app(tmp_path: Path, files: dict[str, str]) -> Path:
    root = write_app(
        tmp_path,
        WSGI,
        {
            "project/__init__.py": "",
            "project/wsgi.py": DJANGO_WSGI,
            "project/settings.py": 'ROOT_URLCONF = "project.urls"\nSECRET_KEY = "x"\n',
            **files,
        },
    )
    (root / "serverless.yml").write_text(
        (root / "serverless.yml").read_text(encoding="utf-8") + "custom:\n  wsgi:\n    app: project.wsgi.application\n",
        encoding="utf-8",
    )
    return root


def test_django_urlconf_routes_to_views_with_request_parts_and_url_parameters(tmp_path: Path) -> None:
    _django_app(
        tmp_path,
        {
            "project/urls.py": """\
                from django.urls import include, path, re_path
                from orders import views
                urlpatterns = [
                    path("orders/<int:pk>/", views.order),
                    re_path(r"^by/(?P<who>\\w+)$", views.by_customer),
                    path("shop/", include("shop.urls")),
                ]
            """,
            "orders/__init__.py": "",
            "orders/views.py": """\
                from django.db import connection
                from django.http import HttpResponse, HttpResponseRedirect
                from django.shortcuts import redirect

                def order(request, pk):
                    with connection.cursor() as cur:
                        cur.execute("SELECT * FROM orders WHERE id = %s", [pk])
                        cur.execute(f"SELECT * FROM orders WHERE status = '{request.GET['status']}'")
                    return HttpResponse("<p>" + request.POST["note"] + "</p>")

                def by_customer(request, who):
                    if who:
                        return redirect(request.GET.get("next"))
                    return HttpResponseRedirect(who)

                def not_routed(request):
                    with connection.cursor() as cur:
                        cur.execute(f"DELETE FROM orders WHERE id = {request.GET['id']}")
            """,
            "shop/__init__.py": "",
            "shop/urls.py": """\
                from django.urls import path
                from . import views
                urlpatterns = [path("items/", views.Items.as_view())]
            """,
            "shop/views.py": """\
                from django.views import View
                from shop.models import Item

                class Items(View):
                    def get(self, request):
                        return Item.objects.extra(where=[f"name = '{request.headers['X-Name']}'"])

                    def helper(self, request):
                        return Item.objects.raw(request.body)
            """,
        },
    )
    assert _flows(tmp_path) == [
        ("redirect", "event.pathParameters.who", "orders/views.py", 14),
        ("redirect", "event.queryStringParameters.next", "orders/views.py", 13),
        ("sql", "event.headers.X-Name", "shop/views.py", 6),
        ("sql", "event.queryStringParameters.status", "orders/views.py", 8),
        ("xss", "event.body.note", "orders/views.py", 9),
    ]


def test_django_views_are_the_functions_code_files_and_escape_clears_xss(tmp_path: Path) -> None:
    _django_app(
        tmp_path,
        {
            "project/urls.py": """\
                from django.urls import path
                from pages import views
                urlpatterns = [path("hello/", views.hello)]
            """,
            "pages/__init__.py": "",
            "pages/views.py": """\
                from django.http import HttpResponse
                from django.utils.html import escape

                def hello(request):
                    return HttpResponse("<h1>" + escape(request.GET["name"]) + request.COOKIES["theme"] + "</h1>")
            """,
        },
    )
    f = fn(run(tmp_path), "api")
    assert f.code_facts is not None
    assert sorted(f.code_facts.files) == [
        "pages/__init__.py",
        "pages/views.py",
        "project/settings.py",
        "project/urls.py",
        "project/wsgi.py",
    ]
    assert _flows(tmp_path) == [("xss", "event.cookies.theme", "pages/views.py", 5)]


def test_django_urlconf_that_is_not_a_literal_gives_no_routes(tmp_path: Path) -> None:
    _django_app(
        tmp_path,
        {
            "project/settings.py": 'import os\nROOT_URLCONF = os.environ["URLCONF"]\n',
            "project/urls.py": """\
                import os
                from django.urls import path
                def run(request):
                    os.system(request.GET["cmd"])
                urlpatterns = [path("run/", run)]
            """,
        },
    )
    f = fn(run(tmp_path), "api")
    assert f.code_facts is not None
    assert (f.code_facts.handler_found, f.code_facts.flows) == (False, ())


def test_zappa_django_settings_enter_the_project_at_its_root_urlconf(tmp_path: Path) -> None:
    files = {
        "zappa_settings.json": (
            '{"dev": {"project_name": "blog", "django_settings": "blog.settings", "runtime": "python3.12"}}\n'
        ),
        "blog/__init__.py": "",
        "blog/settings.py": 'ROOT_URLCONF = "blog.urls"\n',
        "blog/urls.py": """\
            from django.urls import path
            from blog import views
            urlpatterns = [path("go/", views.go)]
        """,
        "blog/views.py": """\
            from django.http import HttpResponseRedirect

            def go(request):
                return HttpResponseRedirect(request.GET["to"])
        """,
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(textwrap.dedent(text), encoding="utf-8")
    f = fn(run(tmp_path), "blog-dev")
    assert (f.code.handler_file, f.code.handler_symbol) == ("blog/settings.py", "ROOT_URLCONF")
    assert f.code_facts is not None
    assert [(fl.sink.kind, fl.source.path, fl.sink.loc.path, fl.sink.loc.line) for fl in f.code_facts.flows] == [
        ("redirect", "event.queryStringParameters.to", "blog/views.py", 4)
    ]


def _routes(tmp_path: Path, name: str = "api") -> list[tuple[str, str, str, int, str]]:
    f = fn(run(tmp_path), name)
    assert f.code_facts is not None
    return sorted((r.method, r.path, r.loc.path, r.loc.line, r.view) for r in f.code_facts.routes)


FLASK_VIEWS = {
    "app.py": """\
        from apig_wsgi import make_lambda_handler
        from flask import Flask
        from orders.api import OrderAPI, Report, export
        from orders import api
        app = Flask(__name__)
        app.add_url_rule("/orders/<order_id>", view_func=OrderAPI.as_view("order"))
        app.add_url_rule("/export", "export", export, methods=["POST"])
        app.add_url_rule("/report/<kind>", view_func=Report.as_view("report"), methods=["GET", "POST"])
        app.add_url_rule("/legacy", view_func=api.legacy_view)
        handler = make_lambda_handler(app)
    """,
    "orders/__init__.py": "",
    "orders/auth.py": "from flask_httpauth import HTTPTokenAuth\ntoken = HTTPTokenAuth()\n",
    "orders/api.py": """\
        import os
        import subprocess
        from flask import request
        from flask.views import MethodView, View
        from orders.auth import token

        class OrderAPI(MethodView):
            def get(self, order_id):
                return "<h1>" + order_id + "</h1>"

            def delete(self, order_id):
                self.purge(request.args["reason"])
                return "", 204

            def purge(self, why):
                os.system("purge " + why)

        class Report(View):
            methods = ["GET"]
            decorators = [token.login_required]

            def dispatch_request(self, kind):
                subprocess.run("report " + kind, shell=True)
                return {}

        class Unused(MethodView):
            def post(self):
                os.system(request.form["never"])

        class Legacy(MethodView):
            def put(self):
                eval(request.get_json()["expr"])
                return ""

        legacy_view = Legacy.as_view("legacy")

        def export():
            os.system(request.form["fmt"])
            return ""
    """,
}


def test_flask_add_url_rule_and_class_based_views_are_routes(tmp_path: Path) -> None:
    write_app(tmp_path, "api:\n  handler: app.handler\n  events:\n    - httpApi: '*'\n", FLASK_VIEWS)
    assert _flows(tmp_path) == [
        ("code", "event.body.expr", "orders/api.py", 32),
        ("command", "event.body.fmt", "orders/api.py", 38),
        ("command", "event.pathParameters.kind", "orders/api.py", 23),
        ("command", "event.queryStringParameters.reason", "orders/api.py", 16),
        ("xss", "event.pathParameters.order_id", "orders/api.py", 9),
    ]
    assert _routes(tmp_path) == [
        ("DELETE", "/orders/<order_id>", "app.py", 6, "OrderAPI.delete"),
        ("GET", "/orders/<order_id>", "app.py", 6, "OrderAPI.get"),
        ("GET,POST", "/report/<kind>", "app.py", 8, "Report.dispatch_request"),
        ("POST", "/export", "app.py", 7, "export"),
        ("PUT", "/legacy", "app.py", 9, "Legacy.put"),
    ]
    api = fn(run(tmp_path), "api")
    assert api.framework == "flask"
    assert api.code_facts is not None
    # a class view's `decorators` decorate the view `as_view` makes: the route declares its authentication
    assert {r.view: r.auth for r in api.code_facts.routes} == {
        "OrderAPI.get": None,
        "OrderAPI.delete": None,
        "Report.dispatch_request": "orders.auth.token.login_required",
        "export": None,
        "Legacy.put": None,
    }


def test_blueprint_add_url_rule_and_a_view_wrapped_by_hand(tmp_path: Path) -> None:
    _wsgi_app(
        tmp_path,
        {
            "app.py": """\
                from flask import Flask
                from shop.views import bp
                app = Flask(__name__)
                app.register_blueprint(bp, url_prefix="/shop")
            """,
            "shop/__init__.py": "",
            "shop/views.py": """\
                import os
                from flask import Blueprint, request
                from flask_login import login_required
                bp = Blueprint("shop", __name__)
                other = Blueprint("other", __name__)

                def cart(item):
                    os.system(item)
                    return ""

                def never(item):
                    os.system(item)
                    return ""

                def search():
                    return f"<p>{request.args['q']}</p>"

                bp.add_url_rule("/cart/<item>", view_func=login_required(cart))
                other.add_url_rule("/never/<item>", view_func=never)
                bp.add_url_rule(rule="/search", endpoint="search", view_func=search)
            """,
        },
    )
    assert _flows(tmp_path) == [
        ("command", "event.pathParameters.item", "shop/views.py", 8),
        ("xss", "event.queryStringParameters.q", "shop/views.py", 16),
    ]
    assert _routes(tmp_path) == [
        ("GET", "/shop/cart/<item>", "shop/views.py", 18, "cart"),
        ("GET", "/shop/search", "shop/views.py", 20, "search"),
    ]
    # serverless-wsgi's loader already named the function's framework: the code does not overwrite it
    api = fn(run(tmp_path), "api")
    assert api.framework == "wsgi"
    assert api.code_facts is not None
    # the wrapper written around the view in the registration is its decorator
    assert {r.view: r.auth for r in api.code_facts.routes} == {"cart": "flask_login.login_required", "search": None}


STARLETTE_APP = {
    "main.py": """\
        from mangum import Mangum
        from starlette.applications import Starlette
        from starlette.routing import Mount, Route
        from api.routes import api_routes
        from api import pages

        app = Starlette(
            routes=[
                Route("/", endpoint=pages.home),
                Route("/notes/{note_id}", endpoint=pages.NoteEndpoint),
                Mount("/api", routes=api_routes),
            ]
        )
        app.add_route("/search", pages.search, methods=["GET"])
        handler = Mangum(app, lifespan="off")
    """,
    "api/__init__.py": "",
    "api/routes.py": """\
        from starlette.routing import Mount, Route, Router
        from api.jobs import run_job, show_job, status

        admin = Router(routes=[Route("/status", status)])
        api_routes = [
            Route("/jobs", endpoint=run_job, methods=["POST"]),
            Route("/jobs/{job_id}", show_job),
            Mount("/admin", app=admin),
        ]
    """,
    "api/jobs.py": """\
        import os
        import subprocess
        from starlette.responses import HTMLResponse, JSONResponse

        async def run_job(request):
            job = await request.json()
            subprocess.run(job["command"], shell=True)
            raw = await request.body()
            os.system(raw)
            return JSONResponse({"ok": True})

        async def show_job(request):
            os.system("show " + request.path_params["job_id"])
            return HTMLResponse("<p>" + request.headers["X-Note"] + "</p>")

        async def status(request):
            form = await request.form()
            os.system(form["probe"])

        async def unrouted(request):
            os.system(request.query_params["never"])
    """,
    "api/pages.py": """\
        import os
        from starlette.endpoints import HTTPEndpoint
        from starlette.responses import JSONResponse, PlainTextResponse

        async def home(request):
            return PlainTextResponse("<h1>" + request.query_params["name"] + "</h1>")

        async def search(request):
            os.system(request.cookies["c"])

        class NoteEndpoint(HTTPEndpoint):
            async def get(self, request):
                os.system(request.path_params["note_id"])
                return JSONResponse({})

            async def helper(self, request):
                os.system(request.query_params["never"])
    """,
}


def test_starlette_route_tables_behind_mangum(tmp_path: Path) -> None:
    write_app(tmp_path, "api:\n  handler: main.handler\n  events:\n    - httpApi: '*'\n", STARLETTE_APP)
    assert _flows(tmp_path) == [
        ("command", "event.body", "api/jobs.py", 9),
        ("command", "event.body.command", "api/jobs.py", 7),
        ("command", "event.body.probe", "api/jobs.py", 18),
        ("command", "event.cookies.c", "api/pages.py", 9),
        ("command", "event.pathParameters.job_id", "api/jobs.py", 13),
        ("command", "event.pathParameters.note_id", "api/pages.py", 13),
        ("xss", "event.headers.X-Note", "api/jobs.py", 14),
    ]
    assert _routes(tmp_path) == [
        ("GET", "/", "main.py", 9, "home"),
        ("GET", "/api/admin/status", "api/routes.py", 4, "status"),
        ("GET", "/api/jobs/{job_id}", "api/routes.py", 7, "show_job"),
        ("GET", "/notes/{note_id}", "main.py", 10, "NoteEndpoint.get"),
        ("GET", "/search", "main.py", 14, "search"),
        ("POST", "/api/jobs", "api/routes.py", 6, "run_job"),
    ]
    assert fn(run(tmp_path), "api").framework == "starlette"


def test_fastapi_add_api_route_on_the_app_and_on_a_router(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        "api:\n  handler: main.handler\n  events:\n    - httpApi: '*'\n",
        {
            "main.py": """\
                import os
                from fastapi import APIRouter, FastAPI, Request
                from fastapi.routing import APIRoute
                from mangum import Mangum

                def typed(x: str, y: str = ""):
                    os.system(y)

                app = FastAPI(routes=[APIRoute("/typed/{x}", typed, methods=["PUT"])])
                router = APIRouter()
                unused = APIRouter()

                def item(item_id: str, q: str = ""):
                    os.system(item_id)
                    os.system(q)

                async def raw(request: Request):
                    os.system(request.query_params["x"])

                def never(v: str):
                    os.system(v)

                app.add_api_route("/items/{item_id}", item, methods=["GET"])
                router.add_api_route(path="/raw", endpoint=raw, methods=["POST"])
                unused.add_api_route("/never", never)
                app.include_router(router, prefix="/v1")
                handler = Mangum(app)
            """
        },
    )
    assert _flows(tmp_path) == [
        ("command", "event.pathParameters.item_id", "main.py", 14),
        ("command", "event.queryStringParameters.q", "main.py", 15),
        ("command", "event.queryStringParameters.x", "main.py", 18),
        ("command", "event.queryStringParameters.y", "main.py", 7),
    ]
    assert _routes(tmp_path) == [
        ("GET", "/items/{item_id}", "main.py", 23, "item"),
        ("POST", "/v1/raw", "main.py", 24, "raw"),
        ("PUT", "/typed/{x}", "main.py", 9, "typed"),
    ]
    assert fn(run(tmp_path), "api").framework == "fastapi"


def test_django_json_and_non_html_responses_are_not_xss(tmp_path: Path) -> None:
    _django_app(
        tmp_path,
        {
            "project/urls.py": """\
                from django.urls import path
                from pages import views
                urlpatterns = [path("p/", views.page)]
            """,
            "pages/__init__.py": "",
            "pages/views.py": """\
                import json
                from django.http import HttpResponse, JsonResponse
                JSON = "application/json"

                def page(request):
                    q, mode = request.GET["q"], request.GET["mode"]
                    if mode == "a":
                        return JsonResponse({"q": q})
                    if mode == "b":
                        return HttpResponse(json.dumps({"q": q}), content_type="application/json")
                    if mode == "c":
                        return HttpResponse(q, "text/plain; charset=utf-8")
                    if mode == "d":
                        return HttpResponse(q, content_type=JSON)
                    if mode == "e":
                        return HttpResponse(q, headers={"Content-Type": "text/csv"})
                    if mode == "f":
                        return HttpResponse(q, content_type="text/html; charset=utf-8")
                    if mode == "g":
                        return HttpResponse(q, content_type=request.GET["type"])
                    if mode == "h":
                        return HttpResponse(content=q, content_type=None)
                    return HttpResponse("<p>" + q + "</p>")
            """,
        },
    )
    assert _flows(tmp_path) == [
        ("xss", "event.queryStringParameters.q", "pages/views.py", 18),
        ("xss", "event.queryStringParameters.q", "pages/views.py", 20),
        ("xss", "event.queryStringParameters.q", "pages/views.py", 22),
        ("xss", "event.queryStringParameters.q", "pages/views.py", 23),
    ]


def test_django_behind_mangum_names_the_framework(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        "api:\n  handler: project.asgi.handler\n  events:\n    - httpApi: '*'\n",
        {
            "project/__init__.py": "",
            "project/asgi.py": """\
                import os
                from django.core.asgi import get_asgi_application
                from mangum import Mangum
                os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
                application = get_asgi_application()
                handler = Mangum(application)
            """,
            "project/settings.py": 'ROOT_URLCONF = "project.urls"\n',
            "project/urls.py": """\
                from django.http import HttpResponseRedirect
                from django.urls import path

                def go(request):
                    return HttpResponseRedirect(request.GET["to"])

                urlpatterns = [path("go/", go)]
            """,
        },
    )
    f = fn(run(tmp_path), "api")
    assert f.framework == "django"
    assert _flows(tmp_path) == [("redirect", "event.queryStringParameters.to", "project/urls.py", 5)]


def test_flask_app_factory_registers_routes_inside_the_function(tmp_path: Path) -> None:
    _wsgi_app(
        tmp_path,
        {
            "app.py": """\
                from shop.factory import create_app
                app = create_app()

                @app.route("/late/<x>")
                def late(x):
                    return "<p>" + x + "</p>"
            """,
            "shop/__init__.py": "",
            "shop/factory.py": """\
                import os
                from flask import Flask, request
                from shop.views import bp

                def export():
                    os.system(request.args["fmt"])
                    return ""

                def unused():
                    os.system(request.args["never"])

                def create_app():
                    app = Flask(__name__)
                    app.register_blueprint(bp, url_prefix="/shop")
                    app.add_url_rule("/export", view_func=export)

                    @app.route("/inner/<name>", methods=["POST"])
                    def inner(name):
                        os.system(name)
                        return ""

                    return app
            """,
            "shop/views.py": """\
                import subprocess
                from flask import Blueprint, request
                bp = Blueprint("shop", __name__)

                @bp.post("/run")
                def run_it():
                    subprocess.run(request.form["cmd"], shell=True)
                    return ""
            """,
        },
    )
    assert _flows(tmp_path) == [
        ("command", "event.body.cmd", "shop/views.py", 7),
        ("command", "event.pathParameters.name", "shop/factory.py", 19),
        ("command", "event.queryStringParameters.fmt", "shop/factory.py", 6),
        ("xss", "event.pathParameters.x", "app.py", 6),
    ]
    assert _routes(tmp_path) == [
        ("GET", "/export", "shop/factory.py", 15, "export"),
        ("GET", "/late/<x>", "app.py", 4, "late"),
        ("POST", "/inner/<name>", "shop/factory.py", 17, "inner"),
        ("POST", "/shop/run", "shop/views.py", 5, "run_it"),
    ]
