"""CODE024: a record fetched, changed or deleted by a caller-chosen id, with nothing tying it to the caller (IDOR)."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, AuthKind, Trigger, TriggerKind
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import for_language, trace, trace_text
from fnaudit.rules.registry import Context, rule

# What the code engine reports (engines/code/*/ownership.py): a read returned to the caller, or a write.
_KINDS = {"idor": Severity.MEDIUM, "idor-write": Severity.HIGH}

_FIX = (
    "scope the lookup to the caller: put the authorizer's identity in the key "
    '(Key={"pk": claims["sub"], "sk": order_id}), in the SQL WHERE clause or the S3 key prefix, or compare the '
    'record\'s owner with it before returning or changing it (if item["owner"] != claims["sub"]: return 404); '
    'for writes, a ConditionExpression="owner = :me" makes DynamoDB refuse the change'
)
_FIX_NODE = (
    "scope the lookup to the caller: put the authorizer's identity in the key "
    "(Key: { pk: claims.sub, sk: orderId }), in the SQL WHERE clause or the S3 key prefix, or compare the "
    "record's owner with it before returning or changing it (if (item.owner !== claims.sub) return 404); "
    'for writes, ConditionExpression: "owner = :me" makes DynamoDB refuse the change'
)


@rule(
    "CODE024",
    "missing-ownership-check",
    title="Record fetched by a caller-chosen id without an ownership check (IDOR)",
    category=Category.AUTH,
    severity=Severity.HIGH,
    cwe=(639, 284),
    owasp=("SAS-2",),
    references=(
        "https://owasp.org/www-project-serverless-top-10/",
        "https://owasp.org/API-Security/editions/2023/en/0xa1-broken-object-level-authorization/",
        "https://cheatsheetseries.owasp.org/cheatsheets/Insecure_Direct_Object_Reference_Prevention_Cheat_Sheet.html",
    ),
    needs=(Fact.CODE,),
)
def missing_ownership_check(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    A handler behind an authenticated route (an API Gateway authorizer: Cognito, JWT, Lambda or IAM, so
    the caller's identity is in `requestContext.authorizer`) that takes an id from the request (path,
    query string or body: `event["pathParameters"]`, Powertools / Chalice `current_event` /
    `current_request`, a Flask / FastAPI route variable, Flask `request.args` / `get_json()`, Express /
    Koa `req.params` / `ctx.params` / `req.body`) and uses it to read a record it returns to the caller
    (`return`, `res.json`, `ctx.body =`), or to update or delete one, while nothing in the handler ties
    the record to that caller:

    - DynamoDB `get_item` / `query` / `update_item` / `delete_item` (`GetCommand`, `GetItemCommand`,
      `QueryCommand`, `UpdateCommand`, `DeleteCommand`, DocumentClient `get` / `query` / `update` /
      `delete`) whose `Key` or key condition values hold the id;
    - S3 `get_object` / `delete_object` (`GetObjectCommand`, `DeleteObjectCommand`) whose `Key` holds it;
    - SQL `SELECT` / `UPDATE` / `DELETE … WHERE` run with the id as a parameter.

    "Tied to the caller" means any of: a claim (`sub`, `username`, `cognito:username`, `email`,
    `principalId`, any value under `requestContext.authorizer` or `requestContext.identity`, the
    authorizer context a WSGI / ASGI adapter puts in the environ, Flask-Login `current_user`, `g.user`,
    a FastAPI `Depends(...)` parameter, Express `req.user` / `req.auth`, Koa `ctx.state.user`, or the
    claims of a token the code verifies itself) in the key, key condition, filter, SQL parameters or S3
    key; a comparison of such a value with anything but a constant (`if item["owner"] !=
    claims["sub"]`); the identity handed to a check helper (`check_owner(item, user)`); an owner
    `ConditionExpression`. A handler that tests the caller's groups, role or scopes (or hands them to a
    helper, or carries an `@admin_required`-style decorator) is an admin route, where reading any
    record is the point, and is not reported.

    Routes with no authorizer at all are not reported: there the caller has no identity to check
    against, and AUTH001 already says that anyone can call the route (a public catalogue read,
    `GET /products/{id}`, is normal). Nor is code no function claims: no route, so no authorizer, is
    known for it.

    Confidence is **medium**: the pattern is syntactic, within one function (the check may live
    elsewhere: a helper handed the event, a row-level database policy, ids that are unguessable
    capabilities by design), and a record read but not returned (an existence check) is not reported.
    It is **low** when the route's authorizer is a Lambda authorizer, which can decide per resource path
    itself, or IAM (`aws_iam`), whose callers are AWS principals, often a backend trusted with every
    record. Severity is medium for a read, high for an update or delete.

    ## When it speaks

    - **Speaks when**: a function behind an authorizer (API Gateway Cognito, JWT, Lambda or IAM, or a function
      URL with IAM auth) whose code reads, changes or deletes a record by an id the caller chose (a path
      parameter, query string or body field) with nothing tying the record to the caller's identity: DynamoDB
      `get_item`/`query` (read returned to the caller: medium) or `update_item`/`delete_item` (write: high), S3
      `get_object`/`put_object`/`delete_object`, SQL `SELECT`/`UPDATE`/`DELETE … WHERE id = …`. One step less
      confident when every authorizer is a Lambda authorizer (it may check ownership of the path) or IAM
      (callers are AWS principals, often a trusted backend).
    - **Evidence**: the message names the function, the line of the lookup, what is fetched or changed and by
      which id, and the route with its authorizer; the trace runs from the id to the call.
    - **Stays quiet**: routes with no authorizer (there is no identity to compare, AUTH001 reports the route);
      lookups whose key, WHERE clause or S3 prefix includes the caller's identity (`claims["sub"]`,
      `current_user`, a FastAPI `Depends` user); a comparison of the record's owner with the caller before it is
      returned or changed; a `ConditionExpression` on the owner; routes that check a group, role or admin scope
      first.

    ## Why it matters

    An authorizer proves who the caller is, not which records are theirs. With `GET /orders/{id}`
    answered by `get_item(Key={"id": id})`, any signed-up user reads every order by changing the id in
    the URL (Insecure Direct Object Reference, the most common access-control flaw in APIs); with
    `DELETE`, they delete them.

    ## How to fix

    Make the caller's identity part of the lookup (`Key={"pk": claims["sub"], "sk": order_id}`, `WHERE id
    = %s AND owner_id = %s`, `Key=f"{claims['sub']}/{name}"`), or compare the record's owner with it and
    answer 404 before returning or changing it. For writes, a `ConditionExpression` on the owner attribute
    makes DynamoDB refuse a change to someone else's record.

    ## Example

    Bad:

    ```python
    def get_order(event, context):
        order_id = event["pathParameters"]["id"]
        item = orders.get_item(Key={"id": order_id})["Item"]
        return {"statusCode": 200, "body": json.dumps(item)}
    ```

    Good:

    ```python
    def get_order(event, context):
        claims = event["requestContext"]["authorizer"]["claims"]
        order_id = event["pathParameters"]["id"]
        item = orders.get_item(Key={"pk": claims["sub"], "sk": order_id}).get("Item")
        if item is None:
            return {"statusCode": 404}
        return {"statusCode": 200, "body": json.dumps(item)}
    ```

    ## References

    - CWE-639: Authorization Bypass Through User-Controlled Key
    - CWE-284: Improper Access Control
    - OWASP Serverless Top 10, SAS-2 Broken Authentication
    - OWASP API Security Top 10 (2023), API1 Broken Object Level Authorization
    """
    for fn in app.functions:
        if fn.code_facts is None:
            continue
        routes = [t for t in fn.http_triggers if t.is_authenticated]
        if not routes:
            continue  # no authorizer: no identity to check against, and AUTH001 reports the route
        for w in fn.code_facts.weaknesses:
            severity = _KINDS.get(w.kind)
            if severity is None:
                continue
            confidence, why = _confidence(routes, w.confidence)
            yield Hit(
                w.loc,
                f"function {fn.name}: line {w.loc.line}: {w.detail} ({_describe(routes)}{why})",
                function=fn.id,
                evidence=trace_text(w.steps),
                remediation=for_language(fn, _FIX, _FIX_NODE),
                severity=severity,
                key=f"{w.kind}:{w.detail}",
                trace=trace(w.steps),
                confidence=confidence,
            )


def _describe(routes: list[Trigger]) -> str:
    t = routes[0]
    where = "function URL" if t.kind is TriggerKind.FUNCTION_URL else t.describe
    return f"{where}, behind an authorizer ({t.authorizer.kind.value})"


def _confidence(routes: list[Trigger], found: str) -> tuple[str, str]:
    """One step less sure where the authorizer may settle ownership itself or the callers are services."""
    kinds = {t.authorizer.kind for t in routes}
    if kinds == {AuthKind.LAMBDA}:  # it can allow or deny per resource path, ownership included
        return "low", "; a Lambda authorizer may check ownership of the path itself"
    if kinds == {AuthKind.IAM}:  # AWS principals: often a trusted backend acting for every user
        return "low", "; IAM callers are AWS principals, often a backend trusted with every record"
    return found, ""
