"""CODE024 missing-ownership-check: the IDOR pattern facts of both analysers, and the rule reading them."""

from __future__ import annotations

from pathlib import Path

from fnaudit.findings import Severity
from fnaudit.model.code import Weakness
from tests.code.helpers import fn, run, write_app
from tests.code.javascript.helpers import node_app

_COGNITO = """\
h:
  handler: {handler}
  {runtime}events:
    - http:
        path: /orders/{{id}}
        method: {method}
        authorizer:
          type: COGNITO_USER_POOLS
          arn: arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_AbCdEf123
"""
_LAMBDA_AUTH = """\
h:
  handler: app.handler
  events:
    - http:
        path: /orders/{id}
        method: get
        authorizer: auth
auth:
  handler: app.auth
"""
_PUBLIC = "h:\n  handler: app.handler\n  events:\n    - httpApi: GET /orders/{id}\n"
_TAIL = "nothing in the function ties the record to the caller (no claim in the key, no owner comparison)"


def _idor(root: Path) -> list[Weakness]:
    facts = fn(run(root, ("CODE024",)), "h").code_facts
    assert facts is not None
    return [w for w in facts.weaknesses if w.kind.startswith("idor")]


def _each(tmp_path: Path, code: str, handlers: tuple[str, ...], file: str = "app.py") -> list[tuple[str, str, int]]:
    """(handler, kind, line) of the IDOR weaknesses when each of `handlers` is a function of its own behind
    the Cognito authorizer (a function's weaknesses only cover the code its handler reaches)."""
    runtime = "runtime: nodejs22.x\n  " if file.endswith(".js") else ""
    block = "".join(
        _COGNITO.format(handler=f"app.{h}", runtime=runtime, method="get").replace("h:", f"{h}:", 1) for h in handlers
    )
    result = run(write_app(tmp_path, block, {file: code}), ("CODE024",))
    out = []
    for h in handlers:
        facts = fn(result, h).code_facts
        assert facts is not None
        out += [(h, w.kind, w.loc.line) for w in facts.weaknesses if w.kind.startswith("idor")]
    return out


def _py(tmp_path: Path, code: str, functions: str | None = None, method: str = "get") -> Path:
    block = functions or _COGNITO.format(handler="app.handler", runtime="", method=method)
    return write_app(tmp_path, block, {"app.py": code})


def _js(tmp_path: Path, code: str, method: str = "get") -> Path:
    block = _COGNITO.format(handler="app.handler", runtime="runtime: nodejs22.x\n  ", method=method)
    return node_app(tmp_path, {"app.js": code}, functions=block)


_PY_GET = """\
import json
import boto3

orders = boto3.resource("dynamodb").Table("orders")

def handler(event, context):
    order_id = event["pathParameters"]["id"]
    item = orders.get_item(Key={"id": order_id})["Item"]
    return {"statusCode": 200, "body": json.dumps(item)}

def auth(event, context):
    return {"principalId": "x"}
"""


def test_python_read_by_path_id_names_source_call_and_return(tmp_path: Path) -> None:
    [w] = _idor(_py(tmp_path, _PY_GET))
    assert (w.kind, w.loc.line, w.confidence) == ("idor", 8, "medium")
    assert w.detail == (
        "orders.get_item() reads a DynamoDB record by `pathParameters.id`, which the caller chooses, "
        f"and returns it; {_TAIL}"
    )
    assert [(s.loc.line, s.note) for s in w.steps] == [
        (7, "`pathParameters.id` read from the request"),
        (8, "orders.get_item() reads the DynamoDB record it names"),
        (9, "returned to the caller"),
    ]


def test_rule_reports_medium_behind_cognito_with_the_route(tmp_path: Path) -> None:
    [f] = run(_py(tmp_path, _PY_GET), ("CODE024",)).findings
    assert (f.rule_name, f.location.path, f.location.line, f.severity) == (
        "missing-ownership-check",
        "app.py",
        8,
        Severity.MEDIUM,
    )
    assert f.confidence == "medium"
    assert f.message.endswith("(api GET /orders/{id}, behind an authorizer (cognito))")


def test_rule_is_quiet_on_a_route_without_authorizer(tmp_path: Path) -> None:
    assert run(_py(tmp_path, _PY_GET, _PUBLIC), ("CODE024",)).findings == ()


def test_rule_lowers_confidence_behind_a_lambda_authorizer(tmp_path: Path) -> None:
    [f] = run(_py(tmp_path, _PY_GET, _LAMBDA_AUTH), ("CODE024",)).findings
    assert (f.location.line, f.severity, f.confidence) == (8, Severity.MEDIUM, "low")
    assert "a Lambda authorizer may check ownership of the path itself" in f.message


def test_python_delete_is_high(tmp_path: Path) -> None:
    code = """\
    import boto3

    def handler(event, context):
        boto3.resource("dynamodb").Table("t").delete_item(Key={"id": event["pathParameters"]["id"]})
        return {"statusCode": 204}
    """
    [f] = run(_py(tmp_path, code, method="delete"), ("CODE024",)).findings
    assert (f.location.line, f.severity) == (4, Severity.HIGH)
    assert "deletes a DynamoDB record by `pathParameters.id`" in f.message


def test_python_owner_comparison_key_claim_and_groups_are_quiet(tmp_path: Path) -> None:
    code = """\
    import boto3

    t = boto3.resource("dynamodb").Table("t")

    def handler(event, context):
        claims = event["requestContext"]["authorizer"]["claims"]
        item = t.get_item(Key={"id": event["pathParameters"]["id"]})["Item"]
        if item.get("owner") != claims["sub"]:
            return {"statusCode": 404}
        return item

    def keyed(event, context):
        sub = event["requestContext"]["authorizer"]["claims"]["sub"]
        return t.get_item(Key={"pk": sub, "sk": event["pathParameters"]["id"]})["Item"]

    def admin(event, context):
        if "admins" not in event["requestContext"]["authorizer"]["claims"]["cognito:groups"]:
            return {"statusCode": 403}
        return t.get_item(Key={"id": event["pathParameters"]["id"]})["Item"]

    def unchecked(event, context):
        return t.get_item(Key={"id": event["pathParameters"]["id"]})["Item"]
    """
    assert _each(tmp_path, code, ("handler", "keyed", "admin", "unchecked")) == [("unchecked", "idor", 22)]


def test_python_comparing_the_identity_with_a_constant_is_not_an_owner_check(tmp_path: Path) -> None:
    code = """\
    import boto3

    def handler(event, context):
        user = event["requestContext"]["authorizer"]["claims"]["sub"]
        if user is None:
            return {"statusCode": 401}
        return boto3.client("s3").get_object(Bucket="b", Key=event["queryStringParameters"]["file"])["Body"].read()
    """
    [w] = _idor(_py(tmp_path, code))
    assert (w.kind, w.loc.line) == ("idor", 7)
    assert w.detail.startswith("boto3.client('s3').get_object() reads an S3 object by `queryStringParameters.file`")


def test_python_sql_update_names_the_id_parameter_not_the_new_value(tmp_path: Path) -> None:
    code = """\
    import json

    def handler(event, context):
        body = json.loads(event["body"])
        with CONN.cursor() as cur:
            cur.execute("UPDATE profiles SET name = %s WHERE id = %s", (body["name"], body["profileId"]))
        return {"statusCode": 204}
    """
    [w] = _idor(_py(tmp_path, code, method="post"))
    assert (w.kind, w.loc.line) == ("idor-write", 6)
    assert w.detail.startswith("cur.execute() updates an SQL row by `body.profileId`")


# --- JavaScript / TypeScript ------------------------------------------------------------------------------------

_JS_GET = """\
const { DynamoDBDocumentClient, GetCommand } = require("@aws-sdk/lib-dynamodb");
const db = DynamoDBDocumentClient.from(client);

exports.handler = async (event) => {
  const { id } = event.pathParameters;
  const out = await db.send(new GetCommand({ TableName: "orders", Key: { id } }));
  return { statusCode: 200, body: JSON.stringify(out.Item) };
};
"""


def test_js_destructured_id_names_the_field(tmp_path: Path) -> None:
    [w] = _idor(_js(tmp_path, _JS_GET))
    assert (w.kind, w.loc.line, w.confidence) == ("idor", 6, "medium")
    assert w.detail == (
        "new GetCommand() reads a DynamoDB record by `pathParameters.id`, which the caller chooses, "
        f"and returns it; {_TAIL}"
    )
    assert [s.loc.line for s in w.steps] == [5, 6, 7]


def test_js_sdk_send_is_not_a_response(tmp_path: Path) -> None:
    """Regression: `db.send(new GetCommand(…))` once counted as `res.send(record)`, a record returned."""
    code = """\
    const { GetCommand } = require("@aws-sdk/lib-dynamodb");
    exports.handler = async (event) => {
      const out = await db.send(new GetCommand({ TableName: "t", Key: { id: event.pathParameters.id } }));
      console.log(Boolean(out.Item));
      return { statusCode: 204 };
    };
    """
    assert _idor(_js(tmp_path, code)) == []


def test_js_v2_params_object_update_is_a_write(tmp_path: Path) -> None:
    code = """\
    exports.handler = async (event) => {
      const body = JSON.parse(event.body);
      const params = { TableName: "t", Key: { id: body.profileId }, UpdateExpression: "SET n = :n" };
      await doc.update(params).promise();
      return { statusCode: 204 };
    };
    """
    [f] = run(_js(tmp_path, code, method="post"), ("CODE024",)).findings
    assert (f.location.path, f.location.line, f.severity) == ("app.js", 4, Severity.HIGH)
    assert "doc.update() updates a DynamoDB record by `body.profileId`" in f.message


def test_js_owner_check_and_express_user_key_are_quiet(tmp_path: Path) -> None:
    code = """\
    const { GetCommand } = require("@aws-sdk/lib-dynamodb");
    exports.handler = async (event) => {
      const claims = event.requestContext.authorizer.claims;
      const out = await db.send(new GetCommand({ TableName: "t", Key: { id: event.pathParameters.id } }));
      if (out.Item.owner !== claims.sub) return { statusCode: 404 };
      return { statusCode: 200, body: JSON.stringify(out.Item) };
    };
    app.get("/orders/:id", async (req, res) => {
      const sql = "SELECT * FROM orders WHERE id = $1 AND owner = $2";
      const { rows } = await pool.query(sql, [req.params.id, req.user.id]);
      res.json(rows[0]);
    });
    """
    assert _idor(_js(tmp_path, code)) == []
    [w] = _idor(_js(tmp_path, code.replace(", req.user.id]", "]")))  # the same route without the owner parameter
    assert (w.kind, w.loc.line) == ("idor", 10)


def test_js_express_record_sent_with_res_json_is_returned(tmp_path: Path) -> None:
    code = """\
    const express = require("express");
    const serverless = require("serverless-http");
    const app = express();
    app.get("/orders/:id", async (req, res) => {
      const [rows] = await conn.execute("SELECT * FROM orders WHERE id = ?", [req.params.id]);
      res.status(200).json(rows[0]);
    });
    exports.handler = serverless(app);
    """
    [w] = _idor(_js(tmp_path, code))
    assert (w.kind, w.loc.line) == ("idor", 5)
    assert w.detail.startswith("conn.execute() reads an SQL row by `params.id`")
    assert [s.loc.line for s in w.steps] == [5, 6]


_PROXY = """\
web:
  handler: app.handler
  events:
    - http:
        path: /{proxy+}
        method: ANY
        authorizer: aws_iam
"""


def test_python_route_variable_and_fastapi_dependency(tmp_path: Path) -> None:
    code = """\
    from fastapi import Depends, FastAPI
    from mangum import Mangum

    app = FastAPI()

    @app.get("/notes/{note_id}")
    def read(note_id: str):
        return NOTES.get_item(Key={"id": note_id})["Item"]

    @app.get("/mine/{note_id}")
    def mine(note_id: str, user=Depends(current_user)):
        note = NOTES.get_item(Key={"id": note_id})["Item"]
        if note["owner"] != user.id:
            raise HTTPException(404)
        return note

    handler = Mangum(app)
    """
    facts = fn(run(write_app(tmp_path, _PROXY, {"app.py": code}), ("CODE024",)), "web").code_facts
    assert facts is not None
    got = [(w.kind, w.loc.line, w.detail.split(",")[0]) for w in facts.weaknesses if w.kind.startswith("idor")]
    assert got == [("idor", 8, "NOTES.get_item() reads a DynamoDB record by `note_id`")]


def test_python_powertools_current_event(tmp_path: Path) -> None:
    code = """\
    from aws_lambda_powertools.event_handler import APIGatewayRestResolver

    app = APIGatewayRestResolver()

    @app.get("/notes")
    def notes():
        note_id = app.current_event.query_string_parameters["id"]
        return TABLE.get_item(Key={"id": note_id})["Item"]

    def handler(event, context):
        return app.resolve(event, context)
    """
    [w] = _idor(_py(tmp_path, code))
    assert (w.kind, w.loc.line) == ("idor", 8)
    assert "by `query_string_parameters.id`" in w.detail


def test_js_koa_params_and_state_user(tmp_path: Path) -> None:
    code = """\
    const Koa = require("koa");
    const Router = require("@koa/router");
    const serverless = require("serverless-http");
    const app = new Koa();
    const router = new Router();
    router.get("/notes/:id", async (ctx) => {
      const note = await repo.query("SELECT * FROM notes WHERE id = $1", [ctx.params.id]);
      ctx.body = note;
    });
    router.get("/mine/:id", async (ctx) => {
      const args = [ctx.params.id, ctx.state.user.sub];
      const { rows } = await repo.query("SELECT * FROM notes WHERE id = $1 AND owner = $2", args);
      return rows;
    });
    router.get("/open/:id", async (ctx) => {
      const { rows } = await repo.query("SELECT * FROM notes WHERE id = $1", [ctx.params.id]);
      ctx.body = rows;
    });
    app.use(router.routes());
    exports.handler = serverless(app);
    """
    got = [(w.kind, w.loc.line, w.detail.split(",")[0]) for w in _idor(_js(tmp_path, code))]
    assert got == [
        ("idor", 7, "repo.query() reads an SQL row by `params.id`"),
        ("idor", 16, "repo.query() reads an SQL row by `params.id`"),
    ]


def test_python_bytes_decode_is_not_a_verified_token(tmp_path: Path) -> None:
    """Regression: `.decode()` of a base64 body once counted as a verified token, the caller's identity."""
    code = """\
    import base64
    import json

    def handler(event, context):
        body = json.loads(base64.b64decode(event["body"]).decode())
        return TABLE.get_item(Key={"id": body["docId"]})["Item"]

    def verified(event, context):
        claims = jwt.decode(event["headers"]["authorization"], KEY, algorithms=["RS256"])
        return TABLE.get_item(Key={"owner": claims["sub"], "id": event["pathParameters"]["id"]})["Item"]
    """
    assert _each(tmp_path, code, ("handler", "verified")) == [("handler", "idor", 6)]
    [w] = _idor(_py(tmp_path, code, method="post"))
    assert "by `body.docId`" in w.detail


def test_python_admin_decorator_and_group_helper_are_admin_routes(tmp_path: Path) -> None:
    code = """\
    @admin_required
    def handler(event, context):
        return TABLE.get_item(Key={"id": event["pathParameters"]["id"]})["Item"]

    def helper_checked(event, context):
        require_group(event["requestContext"]["authorizer"]["claims"], "admins")
        return TABLE.get_item(Key={"id": event["pathParameters"]["id"]})["Item"]

    @login_required
    def only_logged_in(event, context):
        return TABLE.get_item(Key={"id": event["pathParameters"]["id"]})["Item"]
    """
    got = _each(tmp_path, code, ("handler", "helper_checked", "only_logged_in"))
    assert got == [("only_logged_in", "idor", 11)]


def test_rule_lowers_confidence_for_iam_callers_and_names_the_function_url(tmp_path: Path) -> None:
    block = "h:\n  handler: app.handler\n  url:\n    authorizer: aws_iam\n"
    [f] = run(_py(tmp_path, _PY_GET, block), ("CODE024",)).findings
    assert (f.location.line, f.severity, f.confidence) == (8, Severity.MEDIUM, "low")
    assert f.message.endswith(
        "(function URL, behind an authorizer (aws_iam); IAM callers are AWS principals, "
        "often a backend trusted with every record)"
    )
