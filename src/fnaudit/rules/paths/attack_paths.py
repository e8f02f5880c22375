"""PATH001–PATH004: attack paths that join an entry, a foothold in the code and what the role reaches.

The chains are built by `_chain` from the first phase's findings (`ctx.findings`) and the model;
these rules only turn each chain into one finding: at the foothold's line (the line to fix first),
with every step in `trace`, the attacker's gain in the message and the smallest breaking change as
remediation. The fingerprint key (entry kind, foothold rule + fingerprint, reach kind) survives line
moves. A chain standing on a link the user suppressed on purpose is reported suppressed, with a reason
naming that link (see `_chain`).

Each hit names its foothold finding (`Hit.related`). After the rules, `fnaudit.merge` folds the paths
of one function that stand on one sink into one finding (the highest-ranked rule, PATH001 > PATH004 >
PATH002 > PATH003, names the other reaches in its message and trace), and shows the foothold inside it.
"""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Related, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.paths import _chain
from fnaudit.rules.paths._chain import Chain
from fnaudit.rules.registry import Context, rule

_REFS = (
    "https://owasp.org/www-project-serverless-top-10/",
    "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
)


def _hit(chain: Chain) -> Hit:
    fn = chain.function
    foothold = chain.foothold.finding
    via = f" then, through function {chain.reach.via}," if chain.reach.via else ""
    message = (
        f"function {fn.name}: attack path: {chain.entry.text} → {chain.foothold.text} at {chain.foothold.loc} "
        f"({chain.foothold.finding.rule_name}) →{via} the attacker can {chain.reach.controls()}"
    )
    evidence = f"{chain.entry.kind} → {chain.foothold.finding.rule_id} {chain.foothold.kind} → {chain.reach.kind}"
    return Hit(
        chain.foothold.loc,
        message,
        function=fn.id,
        evidence=evidence,
        remediation=_chain.remediation(chain),
        severity=chain.severity,
        key=chain.key,
        trace=chain.steps(),
        confidence=chain.foothold.finding.confidence,
        suppression=chain.suppression,
        # the CODE finding the path stands on: shown inside the path, not again on its own (fnaudit.merge)
        related=(Related(foothold.rule_id, foothold.fingerprint, foothold.location, "foothold", foothold.rule_name),),
    )


@rule(
    "PATH001",
    "public-code-execution-path",
    title="Attack path: reachable function runs attacker code with a powerful role",
    category=Category.ATTACK_PATH,
    severity=Severity.CRITICAL,
    cwe=(78, 94, 269),
    owasp=("SAS-1", "SAS-2", "SAS-4"),
    references=_REFS,
    phase=1,
    needs=(Fact.CODE, Fact.SECRETS, Fact.PERMISSIONS),
)
def public_code_execution_path(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    One finding per chain of three links in one function: an **entry** (a function URL with
    `AuthType: NONE`, a public route without authorizer, an invoke permission for any principal, a
    bucket or topic anyone can write to), a **foothold** in its code that the entry's event data
    reaches (command, code, deserialization or template injection run code as the function; path
    traversal and XXE read `/proc/self/environ`, which holds the role's temporary credentials; SSRF
    is a weaker foothold), and a **reach** in its role (administrator, privilege escalation, write or
    read on every resource, credentials, sharing outside the account). Critical when all three
    links are strong; a weaker link lowers it. Behind an authorizer the path is reported only when
    it ends in control of the account (administrator or escalation).

    One sink is one finding: when the same foothold also leads elsewhere (through a second function,
    PATH004; to the secrets the function holds, PATH003), this finding names each of those reaches in
    its message and trace and lists their rules (`merged`). The CODE finding of the foothold is shown
    inside the path (JSON `related`, SARIF `relatedLocations`) rather than again on its own.

    ## When it speaks

    - **Speaks when**: one function holds an entry, a foothold of code execution (CODE002, CODE003, CODE004,
      CODE008), file read (CODE005, CODE009) or outbound requests (CODE006) reached from it, and a reach from
      its own role's IAM findings (administrator access, escalation, credentials, data writes and reads,
      secrets, exfiltration). Behind an authenticated route (not IAM) it speaks only when the role reaches the
      whole account (admin or escalation). Entries: a function URL with `AuthType: NONE` (AUTH002), a public
      route with no authorizer or an API key only (AUTH001, AUTH004), an invoke permission for any principal
      (AUTH003), an S3 bucket or SNS topic that triggers the function and that anyone can write to; the
      foothold's data flow must start at a field that entry's trigger delivers (a framework route only through
      the trigger that serves it). Severity counts the strong links (entry, foothold, reach): three critical,
      two high, one medium. A path stands on the other rules' findings: suppressing one of its links on purpose
      suppresses the path.
    - **Evidence**: the message names the function, the entry, the foothold and its line and rule, and what the
      attacker can then do, worded by what the grants allow (`invoke every function`, not `write`) and with a
      grant's limiting Condition; the trace lists the entry, the foothold's steps and each reach with its grant;
      the finding sits on the foothold, which it shows as a related location (the CODE finding is shown inside
      the path, not again on its own).
    - **Stays quiet**: a foothold with no entry to reach it, or reached only from an internal trigger; a role
      with no IAM finding; SQL and NoSQL injection (PATH002); a second function (PATH004).

    ## Why it matters

    Each finding alone looks like one medium or high item among many; together they are a breach
    anyone on the internet can run today. The message says what the attacker ends up controlling,
    and the trace names every step with its file and line.

    ## How to fix

    Break any link; the remediation names the smallest change first: fix the sink (parameterise,
    drop the shell, use a safe loader), close the entry (add an authorizer, `AuthType: AWS_IAM`, a
    `SourceArn` on the permission), or scope the role down to the resources the code uses
    (`fnaudit permissions FUNCTION` prints that policy). `fnaudit explain-path FUNCTION` prints the
    chain step by step.

    ## Example

    Bad (serverless.yml and handler):

    ```yaml
    provider:
      iam:
        role:
          statements:
            - {Effect: Allow, Action: "s3:*", Resource: "*"}
    functions:
      report:
        handler: report.handler
        url: true
    ```

    ```python
    subprocess.run(f"grep {event['queryStringParameters']['day']} /tmp/x", shell=True)
    ```

    Good: any one of `url: {authorizer: aws_iam}`, `subprocess.run(["grep", "--", day, "/tmp/x"])`,
    or `Resource: arn:aws:s3:::reports-bucket/*` with the two actions the code calls.

    ## References

    - CWE-78, CWE-94: injection that runs code; CWE-269: improper privilege management
    - OWASP Serverless Top 10: SAS-1, SAS-2, SAS-4
    """
    for chain in _chain.code_chains(app, ctx.findings):
        yield _hit(chain)


@rule(
    "PATH002",
    "public-data-injection-path",
    title="Attack path: reachable function lets anyone query its database",
    category=Category.ATTACK_PATH,
    severity=Severity.CRITICAL,
    cwe=(89, 943),
    owasp=("SAS-1", "SAS-2"),
    references=_REFS,
    phase=1,
    needs=(Fact.CODE, Fact.SECRETS, Fact.PERMISSIONS),
)
def public_data_injection_path(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    A function reachable without authentication (function URL with `AuthType: NONE`, public route
    without authorizer, invoke permission for anyone, a bucket or topic anyone writes to) whose
    event data reaches a SQL statement or a NoSQL / DynamoDB expression. The reach is the data
    behind the query: every row the database login reaches for SQL, and for DynamoDB the tables the
    role lets the function read or change. Critical when the injection can change data.

    ## When it speaks

    - **Speaks when**: one function holds a strong entry and a SQL or NoSQL injection (CODE001, CODE007) reached
      from it; the reach is the database behind the query: every row the SQL login reaches, or for DynamoDB
      every item of the tables the role grants (every table on `*`). Entries: a function URL with `AuthType:
      NONE` (AUTH002), a public route with no authorizer or an API key only (AUTH001, AUTH004), an invoke
      permission for any principal (AUTH003), an S3 bucket or SNS topic that triggers the function and that
      anyone can write to; the foothold's data flow must start at a field that entry's trigger delivers (a
      framework route only through the trigger that serves it). Severity counts the strong links (entry,
      foothold, reach): three critical, two high, one medium. A path stands on the other rules' findings:
      suppressing one of its links on purpose suppresses the path.
    - **Evidence**: the message names the function, the entry, the injection and its line, and what the attacker
      can read or change; the trace lists each link; the injection finding is the related location.
    - **Stays quiet**: injections reached only through an authenticated route or an internal trigger; flows that
      do not start at a field of the entry's trigger.

    ## Why it matters

    No credentials and one request are enough to read or rewrite the table: the injection turns
    the function's own access into the attacker's.

    ## How to fix

    Parameterise the query (the smallest change), or put an authorizer in front of the function.

    ## Example

    Bad: `cur.execute(f"SELECT * FROM orders WHERE id = '{event['pathParameters']['id']}'")` on a
    route without authorizer. Good: `cur.execute("SELECT * FROM orders WHERE id = %s", (order_id,))`.

    ## References

    - CWE-89: SQL injection; CWE-943: NoSQL injection
    """
    for chain in _chain.data_chains(app, ctx.findings):
        yield _hit(chain)


@rule(
    "PATH003",
    "public-secret-exposure-path",
    title="Attack path: reachable function's bug discloses the secrets it holds",
    category=Category.ATTACK_PATH,
    severity=Severity.HIGH,
    cwe=(200, 798),
    owasp=("SAS-1", "SAS-2", "SAS-7"),
    references=_REFS,
    phase=1,
    needs=(Fact.CODE, Fact.SECRETS, Fact.PERMISSIONS),
)
def public_secret_exposure_path(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    A function reachable without authentication whose code lets event data run code or read files
    (command, code, deserialization, template injection, path traversal, XXE), and that holds a
    plain-text secret in its environment, its code or a bundled config file (SECRET001–SECRET003).
    The secret is usable without any further bug: the attacker reads `/proc/self/environ` or the
    file and keeps the key after the function is fixed. When the foothold also runs code with a
    powerful role (PATH001) or reaches another function (PATH004), that finding names this reach.

    ## When it speaks

    - **Speaks when**: one function holds a strong entry, a foothold that runs code or reads files (CODE002,
      CODE003, CODE004, CODE008, CODE005, CODE009) reached from it, and a plain-text secret it holds (SECRET001
      in its environment, SECRET002 in its code, SECRET003 in a bundled file). Entries: a function URL with
      `AuthType: NONE` (AUTH002), a public route with no authorizer or an API key only (AUTH001, AUTH004), an
      invoke permission for any principal (AUTH003), an S3 bucket or SNS topic that triggers the function and
      that anyone can write to; the foothold's data flow must start at a field that entry's trigger delivers (a
      framework route only through the trigger that serves it). Severity counts the strong links (entry,
      foothold, reach): three critical, two high, one medium. A path stands on the other rules' findings:
      suppressing one of its links on purpose suppresses the path.
    - **Evidence**: the message names the function, the entry, the foothold and its line, and the secret the
      attacker can read; the trace lists each link with the secret's line; the foothold is the related location.
    - **Stays quiet**: secrets kept in a secret store (nothing plain to read); SSRF footholds (they do not read
      the environment); entries that are only authenticated routes.

    ## Why it matters

    A leaked third-party key (payments, e-mail, databases) outlives the fix of the bug that leaked
    it, and its use never shows in your AWS logs.

    ## How to fix

    Fix the sink first; then move the secret to Secrets Manager or SSM (read at run time), and
    rotate it if the function was ever exposed.

    ## Example

    Bad: `url: true` on a function with `STRIPE_API_KEY: sk_live_…` in its environment and
    `open("/var/task/" + event["queryStringParameters"]["file"])` in its code. Good: the secret as
    `${ssm:/shop/stripe-key}`, or the path checked against an allowlist.

    ## References

    - CWE-200: exposure of sensitive information; CWE-798: hard-coded credentials
    """
    for chain in _chain.secret_chains(app, ctx.findings):
        yield _hit(chain)


@rule(
    "PATH004",
    "cross-function-path",
    title="Attack path through a second function with a more powerful role",
    category=Category.ATTACK_PATH,
    severity=Severity.CRITICAL,
    cwe=(269, 250),
    owasp=("SAS-2", "SAS-4"),
    references=_REFS,
    phase=1,
    needs=(Fact.CODE, Fact.SECRETS, Fact.PERMISSIONS),
)
def cross_function_path(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    An attack path whose reach goes through another function of the app: the exposed function A,
    with a foothold in its code, can replace the code or configuration of function B
    (`lambda:UpdateFunctionCode` / `UpdateFunctionConfiguration`: A gains B's role), or invoke B
    when B has its own code-execution foothold (the attacker writes B's whole event). The finding
    sits on A's foothold and names B and what B's role reaches. When A's own role also gives a path
    from that foothold (PATH001), the two are one finding, PATH001's, naming this reach too.

    ## When it speaks

    - **Speaks when**: a function A with an entry and a code-execution or file-read foothold reached from it can
      take over another function B of the app with a different role — replace its code or configuration
      (`lambda:UpdateFunctionCode` and the like, so A gains B's role) — or invoke B when B has a code-execution
      foothold of its own, and B's role has IAM findings to reach. Behind an authenticated route (not IAM) it
      speaks only when B's role reaches the whole account. Entries: a function URL with `AuthType: NONE`
      (AUTH002), a public route with no authorizer or an API key only (AUTH001, AUTH004), an invoke permission
      for any principal (AUTH003), an S3 bucket or SNS topic that triggers the function and that anyone can
      write to; the foothold's data flow must start at a field that entry's trigger delivers (a framework route
      only through the trigger that serves it). Severity counts the strong links (entry, foothold, reach): three
      critical, two high, one medium. A path stands on the other rules' findings: suppressing one of its links
      on purpose suppresses the path.
    - **Evidence**: the message names A, the entry, the foothold, the pivot (replaces the code of / invokes B)
      and what the attacker can then do with B's role; the trace lists the entry, A's foothold, the grant that
      allows the pivot, B's foothold when invoked, and B's reach; A's foothold is the related location.
    - **Stays quiet**: functions sharing one role (the path gains nothing: PATH001 covers it); B without IAM
      findings; an invoke of B when B has no code-execution foothold.

    ## Why it matters

    Least privilege on A is no protection when A can borrow B's role: the weakest exposed function
    inherits the strongest role it can reach.

    ## How to fix

    Fix A's sink; drop `lambda:UpdateFunction*` (and `lambda:InvokeFunction` where not needed) from
    A's role; or scope B's role down.

    ## Example

    Bad: `front` (function URL, command injection) has `lambda:UpdateFunctionCode` on `admin`,
    whose role has `iam:*`. Good: `front`'s role has only `lambda:InvokeFunction` on a function with
    no injection, or nothing on `admin`.

    ## References

    - CWE-269: improper privilege management; CWE-250: execution with unnecessary privileges
    """
    for chain in _chain.cross_chains(app, ctx.findings):
        yield _hit(chain)
