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
