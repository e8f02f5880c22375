"""CODE007: event data in a DynamoDB expression, a PartiQL statement or a Mongo $where."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import flow_hits
from fnaudit.rules.registry import Context, rule

_FIX = (
    "Keep expressions constant and pass values through `ExpressionAttributeValues` (or the condition builders "
    "`Key('id').eq(v)` / `Attr(...)`), PartiQL `Parameters`, and never a `$where` built from input."
)

_FIX_NODE = "Keep expressions constant and pass values through `ExpressionAttributeValues` (PartiQL: `Parameters`); for MongoDB, cast filter values to strings and never build `$where` from input."


@rule(
    "CODE007",
    "nosql-injection",
    title="Event data is built into a NoSQL query expression",
    category=Category.INJECTION,
    severity=Severity.HIGH,
    cwe=(943,),
    owasp=("SAS-1",),
    references=(
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeValues.html",
    ),
    needs=(Fact.CODE,),
)
def nosql_injection(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Event data in the text of a DynamoDB `FilterExpression`, `KeyConditionExpression`,
    `ConditionExpression`, `UpdateExpression` or `ProjectionExpression` (boto3 client or `Table`),
    in a PartiQL statement (`execute_statement`, `batch_execute_statement`,
    `execute_transaction`), or in a MongoDB `$where`.

    In JavaScript/TypeScript:
    `FilterExpression`/`KeyConditionExpression`/`UpdateExpression`/`ConditionExpression` of
    DocumentClient params or v3 commands, PartiQL `ExecuteStatementCommand`, Mongo `$where` and filters
    holding a parsed object (an operator such as `{"$ne": null}`).

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers deliver)
      through the function's own code (assignments, string building, containers, calls into its modules and
      shared helpers) to a NoSQL expression: DynamoDB `FilterExpression`, `KeyConditionExpression`,
      `ProjectionExpression`, `ConditionExpression`, `UpdateExpression` (boto3 client or resource `Table`), a
      PartiQL `Statement` (`execute_statement`, `batch_execute_statement`, `execute_transaction`), or a Mongo
      `$where` built from event data (`find`, `update_one`, `aggregate`…), with no sanitiser (a numeric cast;
      the condition builders `Key(...)` / `Attr(...)`) on the way. One finding per flow (sink call, event
      field). Severity follows how the source is reached: high from a public HTTP route or function URL with no
      authorizer; one level lower behind an authorizer, on a private API, or when the framework route declares
      authentication in code (`@login_required`, an auth middleware); two levels lower, one step less confident,
      from an internal trigger (queue, bucket, stream, schedule) or an unknown one. A flow from an internal
      trigger that another function of the app fills with its own event data is a second-order flow, reported at
      that writer's exposure one level lower. Code no function claims is reported with no function, one level
      below high, the whole event taken as the source.
    - **Evidence**: the message names the function, the event field (`body.id`, `queryStringParameters.q`), how
      it is reached (the trigger and its authorizer), the sink call and its line; the trace lists every step
      from the event to the sink (with the writer's steps first for a second-order flow). The finding sits on
      the sink's line, or on the call in the function's own code when the sink is in a helper several functions
      share.
    - **Stays quiet**: values passed through `ExpressionAttributeValues` or PartiQL `Parameters` with a constant
      expression; the `Key(...)`/`Attr(...)` builders; event data used as a key value (`Key={"id": v}`), which
      is data, not an expression.

    ## Why it matters

    An expression built from input lets the caller rewrite it: `id = 1 OR attribute_exists(id)`
    returns every item; a condition can be disabled; an update can set other attributes; a
    `$where` runs JavaScript in the database.

    ## How to fix

    Write the expression as a constant with placeholders (`id = :id`) and pass the values in
    `ExpressionAttributeValues`, or use boto3's `Key`/`Attr` builders; PartiQL takes `Parameters`.

    ## Example

    Bad:

    ```python
    TABLE.scan(FilterExpression=f"id = {event['pathParameters']['id']}")
    ```

    Good:

    ```python
    TABLE.query(KeyConditionExpression=Key("id").eq(event["pathParameters"]["id"]))
    ```

    ## References

    - CWE-943: Improper Neutralization of Special Elements in Data Query Logic
    - OWASP Serverless Top 10, SAS-1 Function Event Data Injection
    """
    yield from flow_hits(app, ir.NOSQL, Severity.HIGH, "NoSQL injection", _FIX, _FIX_NODE)
