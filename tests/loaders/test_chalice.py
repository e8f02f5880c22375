"""AWS Chalice apps: `.chalice/config.json` + `app.py` become functions, routes and event triggers."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from fnaudit.config import Config
from fnaudit.errors import Loss
from fnaudit.loaders import LoadOptions, ScanRoot, load_all
from fnaudit.model.app import App, AuthKind, Dialect, TriggerKind
from fnaudit.model.loc import Loc, Origin
from fnaudit.pipeline import scan
from tests.conftest import SCAN_DATE

FIXTURE = Path(__file__).parents[1] / "rules" / "fixtures" / "_shared" / "chalice-inventory"


def _load(target: Path, stage: str | None = None) -> tuple[list[App], list[tuple[str, str, Loss]]]:
    outcome, _ = load_all(target, ScanRoot.of(target), LoadOptions(stage=stage))
    return outcome.apps, [(e.path, e.message, e.loss) for e in outcome.errors]


def _project(tmp_path: Path, app_py: str, config: str) -> Path:
    (tmp_path / ".chalice").mkdir()
    (tmp_path / "app.py").write_text(textwrap.dedent(app_py), encoding="utf-8")
    (tmp_path / ".chalice" / "config.json").write_text(textwrap.dedent(config), encoding="utf-8")
    return tmp_path


def test_fixture_app_yields_the_api_function_with_one_trigger_per_route_and_event_functions() -> None:
    apps, errors = _load(FIXTURE)
    assert errors == []
    (app,) = apps
    assert (app.name, app.dialect, app.framework, app.source) == (
        "inventory",
        Dialect.CHALICE,
        "chalice",
        ".chalice/config.json",
    )
    assert [f.name for f in app.functions] == ["inventory-dev", "inventory-dev-partner_auth", "inventory-dev-restock"]
    api = app.functions[0]
    assert (api.handler.value, api.code.handler_file, api.code.handler_symbol, api.framework) == (
        "app.app",
        "app.py",
        "app",
        "chalice",
    )
    routes = [(t.kind, t.method, t.path, t.authorizer.kind, t.authorizer.name, t.loc, t.public) for t in api.triggers]
    assert routes == [
        (TriggerKind.API_REST, "DELETE", "/admin/items/{sku}", AuthKind.IAM, "iam", Loc("app.py", 20), True),
        (TriggerKind.API_REST, "GET", "/items/search", AuthKind.NONE, None, Loc("app.py", 26), True),
        (TriggerKind.API_REST, "POST", "/partners/orders", AuthKind.LAMBDA, "partner_auth", Loc("app.py", 32), True),
    ]
    restock = app.functions[2]
    assert [(t.kind, t.source, t.loc) for t in restock.triggers] == [
        (TriggerKind.SQS, "inventory-restock", Loc("app.py", 38))
    ]
    assert restock.code.handler_symbol == "restock"
    assert app.functions[1].triggers == ()  # the custom authorizer is a function of its own


def test_config_stage_settings_environment_and_per_function_overrides_keep_their_lines() -> None:
    apps, _ = _load(FIXTURE)
    api, _, restock = apps[0].functions
    assert {k: (v.value, v.loc) for k, v in api.environment.items()} == {
        "DB_HOST": ("inventory.cluster-abc.eu-west-1.rds.amazonaws.com", Loc(".chalice/config.json", 5)),
        "DB_PASSWORD": ("Zq8!vR2#mW9pLx4TnB6s", Loc(".chalice/config.json", 12)),
    }
    assert (api.timeout.value, api.timeout.loc) == (20, Loc(".chalice/config.json", 10))
    assert (restock.timeout.value, restock.timeout.loc) == (60, Loc(".chalice/config.json", 16))
    assert api.reserved_concurrency.is_default
    # Chalice deploys with the interpreter running `chalice deploy`: the runtime is not known
    assert api.runtime.origin is Origin.UNRESOLVED
    # autogen_policy (the default): the role is derived from the code at deploy time, none is written
    assert api.role is None


def test_stage_with_iam_policy_file_reads_the_policy_as_the_role() -> None:
    apps, errors = _load(FIXTURE, stage="prod")
    assert errors == []
    api = apps[0].functions[0]
    assert api.name == "inventory-prod"
    assert api.role is not None
    assert api.role.id == ".chalice/policy-prod.json"
    assert [(s.actions, s.resources) for s in api.role.statements] == [
        (("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"), ("arn:aws:logs:*:*:*",)),
        (("rds-db:connect",), ("*",)),
    ]
    assert "DB_PASSWORD" not in api.environment  # dev's variables are not prod's


def test_external_role_api_key_cognito_private_endpoint_and_unknown_stage(tmp_path: Path) -> None:
    root = _project(
        tmp_path,
        """\
        from chalice import Chalice, CognitoUserPoolAuthorizer

        app = Chalice(app_name="keys")
        users = CognitoUserPoolAuthorizer("users", provider_arns=["arn:aws:cognito-idp:eu-west-1:1:userpool/x"])


        @app.route("/keyed", api_key_required=True)
        def keyed():
            return {}


        @app.route("/me", methods=["GET", "PUT"], authorizer=users)
        def me():
            return {}


        @app.schedule("rate(1 hour)")
        def tick(event):
            return None
        """,
        """\
        {
          "app_name": "keys",
          "manage_iam_role": false,
          "iam_role_arn": "arn:aws:iam::123456789012:role/keys",
          "api_gateway_endpoint_type": "PRIVATE",
          "stages": {"dev": {}}
        }
        """,
    )
    apps, errors = _load(root)
    assert errors == []
    api, tick = apps[0].functions
    assert [(t.method, t.path, t.authorizer.kind, t.api_key_required, t.public) for t in api.triggers] == [
        ("GET", "/keyed", AuthKind.API_KEY, True, False),
        ("GET", "/me", AuthKind.COGNITO, False, False),
        ("PUT", "/me", AuthKind.COGNITO, False, False),
    ]
    assert api.role is not None
    assert (api.role.id, api.role.external, api.role.loc) == (
        "arn:aws:iam::123456789012:role/keys",
        True,
        Loc(".chalice/config.json", 4),
    )
    assert [(t.kind, t.source) for t in tick.triggers] == [(TriggerKind.SCHEDULE, "rate(1 hour)")]

    _, errors = _load(root, stage="staging")
    assert errors == [
        (".chalice/config.json", "stage 'staging' is not in `stages`; top-level settings only", Loss.NONE)
    ]


def test_app_py_is_read_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    root = _project(
        tmp_path,
        f"""\
        from pathlib import Path
        from chalice import Chalice

        Path({str(marker)!r}).write_text("imported")
        app = Chalice(app_name="quiet")


        @app.route("/")
        def index():
            return {{}}
        """,
        '{"app_name": "quiet"}\n',
    )
    apps, _ = _load(root)
    assert [f.name for f in apps[0].functions] == ["quiet-dev"]
    assert not marker.exists()


def test_a_config_json_without_a_chalice_app_is_not_an_app(tmp_path: Path) -> None:
    (tmp_path / ".chalice").mkdir()
    (tmp_path / ".chalice" / "config.json").write_text('{"app_name": "x"}', encoding="utf-8")
    (tmp_path / "app.py").write_text("print('not chalice')\n", encoding="utf-8")
    assert _load(tmp_path) == ([], [])


def test_current_request_and_event_objects_are_sources_per_trigger(tmp_path: Path) -> None:
    """Before Chalice support no function existed; the code engine must also know Chalice's sources:
    `app.current_request.*`, URI parameters as arguments, and the SQS / SNS / S3 event wrappers."""
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root)
    app_py = root / "app.py"
    text = app_py.read_text(encoding="utf-8").replace("db.restock(record.body)", "db.search(record.body)")
    text += textwrap.dedent(
        """\


        @app.on_sns_message(topic="price-updates")
        def prices(event):
            db.search(event.message)


        @app.on_s3_event(bucket="imports")
        def imported(event):
            db.search(event.key)


        @app.route("/items/{sku}")
        def get_item(sku):
            return db.run("SELECT * FROM items WHERE sku = '" + sku + "'")
        """
    )
    app_py.write_text(text, encoding="utf-8")
    result = scan(root, Config(select=("CODE001",), today=SCAN_DATE))
    got = sorted((f.function, f.location.path, f.location.line, f.message.split(" (from")[0]) for f in result.findings)
    assert got == [
        ("inventory-dev", "chalicelib/db.py", 19, "function inventory-dev: event.pathParameters.sku"),
        ("inventory-dev", "chalicelib/db.py", 25, "function inventory-dev: event.queryStringParameters.q"),
        (
            "inventory-dev-imported",
            "chalicelib/db.py",
            25,
            "function inventory-dev-imported: event.Records[].s3.object.key",
        ),
        ("inventory-dev-prices", "chalicelib/db.py", 25, "function inventory-dev-prices: event.Records[].Sns.Message"),
        ("inventory-dev-restock", "chalicelib/db.py", 25, "function inventory-dev-restock: event.Records[].body"),
    ]
