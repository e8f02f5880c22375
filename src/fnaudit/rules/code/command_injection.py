"""CODE002: event data reaching an OS command."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import flow_hits
from fnaudit.rules.registry import Context, rule

_FIX = (
    'Run the program with a list of arguments and no shell (`subprocess.run(["grep", "--", day, path])`), '
    "check the value against an allowlist, or quote it with `shlex.quote()` when a shell is unavoidable."
)

_FIX_NODE = "Use `execFile`/`spawn` with a fixed program, an arguments array and no `shell: true`; check the value against an allowlist; never pass event data to `exec`/`execSync`."


@rule(
    "CODE002",
    "command-injection",
    title="Event data reaches an OS command",
    category=Category.INJECTION,
    severity=Severity.CRITICAL,
    cwe=(78,),
    owasp=("SAS-1",),
    references=("https://docs.python.org/3/library/subprocess.html#security-considerations",),
    needs=(Fact.CODE,),
)
def command_injection(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Event data that reaches a shell command line (`subprocess.*` with `shell=True`, `os.system`,
    `os.popen`, `subprocess.getoutput`, `asyncio.create_subprocess_shell`) or that chooses the
    program to run (`subprocess.run([tainted, ...])`, `os.exec*`), without `shlex.quote()` or an
    allowlist check on the way.

    In JavaScript/TypeScript: `child_process.exec`/`execSync`, and `spawn`/`execFile` when the program
    is tainted or `shell: true` is set.

    ## Why it matters

    `; curl … | sh` in a query parameter runs anything the function's role allows: read the
    environment (with its temporary AWS credentials), call AWS APIs, tamper with `/tmp` for the
    next invocations. It is the most direct form of event-data injection (OWASP SAS-1).

    ## How to fix

    Do not go through a shell: pass an argument list with a constant program. When a shell is
    really needed, quote every value with `shlex.quote()`, or check it against a fixed allowlist.

    ## Example

    Bad:

    ```python
    day = event["queryStringParameters"]["day"]
    subprocess.run(f"grep {day} /tmp/orders.csv", shell=True)
    ```

    Good:

    ```python
    day = event["queryStringParameters"]["day"]
    subprocess.run(["grep", "--", day, "/tmp/orders.csv"])
    ```

    ## References

    - CWE-78: OS Command Injection
    - OWASP Serverless Top 10, SAS-1 Function Event Data Injection
    """
    yield from flow_hits(app, ir.COMMAND, Severity.CRITICAL, "OS command injection", _FIX, _FIX_NODE)
