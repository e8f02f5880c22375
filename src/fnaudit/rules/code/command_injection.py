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

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers deliver)
      through the function's own code (assignments, string building, containers, calls into its modules and
      shared helpers) to a command argument (`os.system`, `os.popen`,
      `subprocess.run`/`call`/`check_output`/`Popen` and `getoutput`, `asyncio.create_subprocess_shell`/`exec`,
      the `os.exec*`/`spawn*` family; `child_process` in JavaScript), with no sanitiser for a command
      (`shlex.quote`, `pipes.quote`, `urllib.parse.quote`, a numeric cast) on the way. One finding per flow
      (sink call, event field). Severity follows how the source is reached: critical from a public HTTP route or
      function URL with no authorizer; one level lower behind an authorizer, on a private API, or when the
      framework route declares authentication in code (`@login_required`, an auth middleware); two levels lower,
      one step less confident, from an internal trigger (queue, bucket, stream, schedule) or an unknown one. A
      flow from an internal trigger that another function of the app fills with its own event data is a
      second-order flow, reported at that writer's exposure one level lower. Code no function claims is reported
      with no function, one level below critical, the whole event taken as the source.
    - **Evidence**: the message names the function, the event field (`body.id`, `queryStringParameters.q`), how
      it is reached (the trigger and its authorizer), the sink call and its line; the trace lists every step
      from the event to the sink (with the writer's steps first for a second-order flow). The finding sits on
      the sink's line, or on the call in the function's own code when the sink is in a helper several functions
      share.
    - **Stays quiet**: a fixed program with a constant argument list; a value quoted with `shlex.quote` or cast
      to a number; a value checked against an allowlist before the call; event data that only reaches the
      command's environment or working directory.

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
