"""Powertools event handlers: `app.resolve(event, context)` runs every route of the resolver and of the
routers it includes; `current_event` of either is the event."""

from __future__ import annotations

from pathlib import Path

from fnaudit.model.code import Flow
from tests.code.helpers import fn, run, write_app

API = """\
api:
  handler: app.handler
  events:
    - http:
        path: /{proxy+}
        method: ANY
"""

APP = """\
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from routes import orders

app = APIGatewayRestResolver()
app.include_router(orders.router, prefix="/orders")


def handler(event, context):
    return app.resolve(event, context)
"""


def _flows(tmp_path: Path) -> list[Flow]:
    f = fn(run(tmp_path), "api")
    assert f.code_facts is not None and f.code_facts.handler_found
    return sorted(f.code_facts.flows, key=lambda fl: (fl.sink.loc.path, fl.sink.loc.line, fl.source.path))


def _keys(flows: list[Flow]) -> list[tuple[str, str, str, int]]:
    return [(fl.sink.kind, fl.source.path, fl.sink.loc.path, fl.sink.loc.line) for fl in flows]


def test_included_router_routes_of_another_module_run_with_the_event(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        API,
        {
            "app.py": APP,
            "routes/__init__.py": "",
            "routes/orders.py": """\
                import os
                from aws_lambda_powertools.event_handler.api_gateway import Router

                router = Router()

                @router.get("/<order_id>")
                def get_order(order_id: str):
                    os.system("cat /orders/" + order_id)

                @router.route("/run", method=["POST"])
                def run_it():
                    os.system(router.current_event.json_body["cmd"])
                    os.system(router.current_event.query_string_parameters["q"])
            """,
        },
    )
    flows = _flows(tmp_path)
    assert _keys(flows) == [
        ("command", "event.pathParameters.order_id", "routes/orders.py", 8),
        ("command", "event.body.cmd", "routes/orders.py", 12),
        ("command", "event.queryStringParameters.q", "routes/orders.py", 13),
    ]
    # the route's full path (the router's prefix included) is on the flow's way
    assert (flows[0].steps[0].loc.line, flows[0].steps[0].note) == (
        7,
        "route /orders/<order_id> runs get_order() (app.resolve())",
    )


def test_a_router_the_app_never_includes_is_not_a_route(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        API,
        {
            "app.py": APP,
            "routes/__init__.py": "",
            "routes/orders.py": """\
                from aws_lambda_powertools.event_handler.api_gateway import Router
                router = Router()
            """,
            "routes/legacy.py": """\
                import os
                from aws_lambda_powertools.event_handler.api_gateway import Router
                from routes import orders

                router = Router()

                @router.get("/<name>")
                def old(name):
                    os.system(name)
            """,
        },
    )
    assert _flows(tmp_path) == []


def test_raw_event_and_keyword_getters_of_current_event(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        API,
        {
            "app.py": """\
                import os
                from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

                app = APIGatewayHttpResolver()

                @app.post("/jobs")
                def jobs():
                    os.system(app.current_event.raw_event["headers"]["x-cmd"])
                    os.system(app.current_event.get_query_string_value(name="job", default_value="ls"))

                def handler(event, context):
                    return app.resolve(event, context)
            """,
        },
    )
    assert _keys(_flows(tmp_path)) == [
        ("command", "event.headers.x-cmd", "app.py", 8),
        ("command", "event.queryStringParameters.job", "app.py", 9),
    ]


def test_resolver_imported_into_the_handler_module(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        API,
        {
            "app.py": """\
                from api import app

                def handler(event, context):
                    return app.resolve(event, context)
            """,
            "api.py": """\
                import subprocess
                from aws_lambda_powertools.event_handler import ALBResolver

                app = ALBResolver()

                @app.get("/hosts/<host>")
                def ping(host):
                    subprocess.run("ping -c1 " + host, shell=True)
            """,
        },
    )
    assert _keys(_flows(tmp_path)) == [("command", "event.pathParameters.host", "api.py", 8)]


def test_sdk_calls_of_routes_in_other_modules_are_reachable(tmp_path: Path) -> None:
    write_app(
        tmp_path,
        API,
        {
            "app.py": APP,
            "routes/__init__.py": "",
            "routes/orders.py": """\
                import boto3
                from aws_lambda_powertools.event_handler.api_gateway import Router

                router = Router()
                table = boto3.resource("dynamodb").Table("orders")

                @router.post("/")
                def create():
                    table.put_item(Item=router.current_event.json_body)

                def never_routed():
                    table.delete_item(Key={"id": "x"})
            """,
        },
    )
    calls = fn(run(tmp_path), "api").sdk_calls
    assert [(c.operation, c.loc.path, c.loc.line, c.reachable) for c in calls] == [
        ("PutItem", "routes/orders.py", 9, True),
        ("DeleteItem", "routes/orders.py", 12, False),
    ]
