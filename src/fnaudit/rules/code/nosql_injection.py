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
