"""CODE001: event data reaching a SQL statement."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import flow_hits
from fnaudit.rules.registry import Context, rule

_FIX = (
    'Pass the values as query parameters (`cursor.execute("SELECT … WHERE id = %s", (order_id,))`, '
    '`text("… :id").bindparams(id=order_id)`), never by building the SQL string.'
)

_FIX_NODE = 'Use placeholders and a values array (`pool.query("SELECT … WHERE id = ?", [id])`, `pg` `$1`, `knex.raw("… ?", [id])`, `sequelize.query(sql, { replacements })`) or a tagged-template SQL helper, never by building the SQL string.'


@rule(
    "CODE001",
    "sql-injection",
    title="Event data reaches a SQL query",
    category=Category.INJECTION,
    severity=Severity.CRITICAL,
    cwe=(89,),
    owasp=("SAS-1",),
    references=(
        "https://owasp.org/www-project-serverless-top-10/",
        "https://peps.python.org/pep-0249/#id15",
    ),
    needs=(Fact.CODE,),
)
def sql_injection(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Attacker-controlled event data (an HTTP body, query string, path parameter, header, an S3 key,
    a queue message…) that reaches the SQL text of a DB-API `execute`/`executemany`/`executescript`
    (psycopg 2/3, pymysql, mysql-connector, sqlite3, pg8000), SQLAlchemy `text()` or
    `exec_driver_sql`, or `pandas.read_sql`, through assignments, string building, containers and
    calls of the function's own code, with no sanitiser (an `int()` cast, an allowlist check) on
    the way. The finding carries the whole path from the event to the query.

    In JavaScript/TypeScript: the SQL text of `mysql`/`mysql2` `query`/`execute`, `pg` `query` (a string
    or `{ text }`), `knex.raw`/`whereRaw`, `sequelize.query`, Prisma `$queryRawUnsafe`.

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers deliver)
      through the function's own code (assignments, string building, containers, calls into its modules and
      shared helpers) to the SQL text of a query call (DB-API `execute`/`executemany`/`executescript`,
      `mogrify`, SQLAlchemy `text()` / `exec_driver_sql`, `pandas.read_sql`, Django `raw` / `extra(where=…)`; in
      JavaScript the drivers listed above), with no sanitiser for SQL (a numeric cast, `uuid.UUID`, a date
      parser, psycopg `sql.Literal` / `sql.Identifier`) on the way. One finding per flow (sink call, event
      field). Severity follows how the source is reached: critical from a public HTTP route or function URL with
      no authorizer; one level lower behind an authorizer, on a private API, or when the framework route
      declares authentication in code (`@login_required`, an auth middleware); two levels lower, one step less
      confident, from an internal trigger (queue, bucket, stream, schedule) or an unknown one. A flow from an
      internal trigger that another function of the app fills with its own event data is a second-order flow,
      reported at that writer's exposure one level lower. Code no function claims is reported with no function,
      one level below critical, the whole event taken as the source.
    - **Evidence**: the message names the function, the event field (`body.id`, `queryStringParameters.q`), how
      it is reached (the trigger and its authorizer), the sink call and its line; the trace lists every step
      from the event to the sink (with the writer's steps first for a second-order flow). The finding sits on
      the sink's line, or on the call in the function's own code when the sink is in a helper several functions
      share.
    - **Stays quiet**: values passed as query parameters (`execute(sql, (order_id,))`, a values array) never
      reach the SQL text; a constant query; a value cast to a number or parsed as a UUID or date first; a flow
      the engine cannot follow out of the function's own code (into a library) is not guessed at.

    ## Why it matters

    A value concatenated into SQL can change the query: read every row, bypass a filter, write or
    drop tables, with the function's database credentials. This is event-data injection, the
    first risk of the OWASP Serverless Top 10 (SAS-1). Severity follows the trigger: critical from
    a public route with no authorizer, lower behind an authorizer or from an internal trigger.

    ## How to fix

    Use parameterised queries: the SQL text is a constant and the values travel separately, so the
    driver never interprets them as SQL.

    ## Example

    Bad:

    ```python
    def handler(event, context):
        order_id = event["pathParameters"]["id"]
        cur.execute(f"SELECT * FROM orders WHERE id = '{order_id}'")
    ```

    Good:

    ```python
    def handler(event, context):
        order_id = event["pathParameters"]["id"]
        cur.execute("SELECT * FROM orders WHERE id = %s", (order_id,))
    ```

    ## References

    - CWE-89: SQL Injection
    - OWASP Serverless Top 10, SAS-1 Function Event Data Injection
    """
    yield from flow_hits(app, ir.SQL, Severity.CRITICAL, "SQL injection", _FIX, _FIX_NODE)
