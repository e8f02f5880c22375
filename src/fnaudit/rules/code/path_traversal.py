"""CODE005: event data used as a file path."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import flow_hits
from fnaudit.rules.registry import Context, rule

_FIX = (
    "Keep only the file name (`os.path.basename`), or resolve the path (`os.path.realpath`) and check it "
    "starts with the allowed folder before opening it; better, map ids to files with a fixed table."
)

_FIX_NODE = "Keep only the file name (`path.basename`), or `path.resolve` the path and check it `startsWith` the allowed folder before using it; better, map ids to files with a fixed table."


@rule(
    "CODE005",
    "path-traversal",
    title="Event data is used as a file path",
    category=Category.INJECTION,
    severity=Severity.CRITICAL,
    cwe=(22,),
    owasp=("SAS-1",),
    references=("https://owasp.org/www-community/attacks/Path_Traversal",),
    needs=(Fact.CODE,),
)
def path_traversal(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Event data in the path given to `open`, `os` file operations (`remove`, `listdir`, `rename`…),
    `shutil` (`copy`, `rmtree`…) or `pathlib.Path` methods, without `os.path.basename` or a
    `realpath` + `startswith` check on the way.

    In JavaScript/TypeScript: `fs` and `fs/promises` reads, writes, `unlink`,
    `createReadStream`/`createWriteStream` and the like (also `fs-extra`).

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers deliver)
      through the function's own code (assignments, string building, containers, calls into its modules and
      shared helpers) to a file path (`open`, `io.open`, `codecs.open`, the `os` and `shutil` file functions,
      `pathlib.Path(x)` methods, `flask.send_file`, the local file name of boto3 `download_file`/`upload_file`;
      `fs` in JavaScript), with no sanitiser for paths (`os.path.basename`, `werkzeug.utils.secure_filename`,
      `urllib.parse.quote`, a numeric cast), nor a normalised path (`os.path.realpath`/`abspath`/`normpath`,
      `Path.resolve()`) checked with `.startswith(BASE)` on the way. One finding per flow (sink call, event
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
    - **Stays quiet**: a file name reduced to its base name; a path resolved and then checked against the
      allowed folder; a constant path; event data used only as an S3 key (no local file).

    ## Why it matters

    `../../proc/self/environ` reads the function's environment, which holds its temporary AWS
    credentials; `../var/task/…` reads the code; a write can plant files in `/tmp` that later
    invocations trust.

    ## How to fix

    Reduce the value to a file name with `os.path.basename`, or resolve the full path with
    `os.path.realpath` and refuse it unless it starts with the intended folder.

    ## Example

    Bad:

    ```python
    name = event["pathParameters"]["name"]
    with open(f"/tmp/reports/{name}") as f:
        return {"statusCode": 200, "body": f.read()}
    ```

    Good:

    ```python
    name = os.path.basename(event["pathParameters"]["name"])
    with open(f"/tmp/reports/{name}") as f:
        return {"statusCode": 200, "body": f.read()}
    ```

    ## References

    - CWE-22: Path Traversal
    - OWASP Serverless Top 10, SAS-1 Function Event Data Injection
    """
    yield from flow_hits(app, ir.PATH, Severity.CRITICAL, "path traversal", _FIX, _FIX_NODE)
