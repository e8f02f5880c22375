"""DOS006: a public function whose reserved concurrency is so low that a few slow requests block every caller."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, AuthKind, Dialect, Function, Trigger
from fnaudit.model.loc import Value
from fnaudit.rules._common import by_dialect, inherited_note, setting_loc
from fnaudit.rules.dos.timeouts import whole_number
from fnaudit.rules.registry import Context, rule

# At or below this many concurrent executions, a handful of requests in flight is enough, whatever the timeout.
TINY_CONCURRENCY = 5
# Up to this many, it still takes few requests when each one may run for SLOW_TIMEOUT seconds or more:
# the slower each call can be made to run, the fewer an attacker needs to keep every slot busy.
LOW_CONCURRENCY = 20
SLOW_TIMEOUT = 10
# Lambda's timeout when none is set: the Framework writes 6 s into the function, SAM and CloudFormation leave AWS's 3 s.
_DEFAULT_TIMEOUT = {Dialect.SERVERLESS: 6}
_AWS_DEFAULT_TIMEOUT = 3
# Authorizers a stranger cannot get past: API Gateway refuses unsigned / untokened requests before the function runs.
_STRONG_AUTH = (AuthKind.IAM, AuthKind.JWT, AuthKind.COGNITO)
# A custom authorizer (or one we cannot classify) runs code we do not see: lower severity, still reported.
_WEAK_AUTH = (AuthKind.LAMBDA, AuthKind.UNKNOWN)


@rule(
    "DOS006",
    "concurrency-exhaustion",
    title="Public function with reserved concurrency low enough to exhaust",
    category=Category.AVAILABILITY,
    severity=Severity.MEDIUM,
    cwe=(400, 770),
    owasp=("SAS-8",),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html",
    ),
)
def concurrency_exhaustion(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions reachable from the internet (an API route, function URL or ALB) whose reserved
    concurrency is set, but so low that a handful of concurrent requests occupy every execution
    slot: reserved concurrency of 5 or less, or of 20 or less when the function's timeout is 10
    seconds or more (each request an attacker makes slow holds its slot for the whole timeout).
    Routes behind IAM, JWT or Cognito authorization do not count (strangers are refused before the
    function runs); behind a custom (Lambda) authorizer the finding has severity low. A reserved
    concurrency of 0 switches the function off on purpose and is not reported.

    ## When it speaks

    - **Speaks when**: a function with a public HTTP trigger not protected by a strong authorizer (none, an API
      key, a Lambda authorizer, an unknown one; IAM, JWT and Cognito count as strong) has a reserved concurrency
      of 5 or less, or of 20 or less with a timeout of 10 s or more (the timeout is the function's own or
      inherited, else 6 s for the Serverless Framework and 3 s for SAM/CloudFormation). Medium; low when every
      such route is behind a Lambda authorizer.
    - **Evidence**: the message names the function, its reserved concurrency and timeout, who can saturate it
      (anyone, anyone with an API key, callers the custom authorizer lets through), from which routes, and the
      rough request rate needed; the finding sits on the concurrency setting.
    - **Stays quiet**: no reserved concurrency (DOS001's finding); a reserved concurrency of 0 (switched off on
      purpose); values above the thresholds; routes behind IAM, JWT or Cognito authorizers; non-HTTP triggers.

    ## Why it matters

    Reserved concurrency is a hard ceiling: once that many executions are running, every further
    request is throttled (an HTTP 429 or 5xx error for the caller) until one finishes. With a ceiling of 5 and
    a 30-second timeout, five requests that make the handler wait (a large upload, a slow query, a
    call to a slow host) every 30 seconds lock out all other users, at a cost of a fraction of a
    request per second. Capping concurrency protects the account and the bill (DOS001), but a cap
    this low turns a denial of wallet into a cheap denial of service.

    ## How to fix

    Size the reserved concurrency for the expected peak with head room (peak requests per second ×
    average duration, times two or more), lower the timeout to just above the real duration, and
    throttle the API per client (usage plans, stage or route throttling, AWS WAF rate rules) so that
    one caller cannot take every slot. In serverless.yml: `reservedConcurrency: 50` and `timeout: 6`;
    in SAM / CloudFormation: `ReservedConcurrentExecutions: 50` and `Timeout: 6`.

    ## Example

    Bad (serverless.yml):

    ```yaml
    functions:
      search:
        handler: search.handler
        reservedConcurrency: 2
        timeout: 30
        events:
          - httpApi: GET /search
    ```

    Good:

    ```yaml
    functions:
      search:
        handler: search.handler
        reservedConcurrency: 100
        timeout: 6
        events:
          - httpApi: GET /search
    ```

    ## References

    - CWE-400: Uncontrolled Resource Consumption
    - CWE-770: Allocation of Resources Without Limits or Throttling
    """
    for fn in app.functions:
        open_routes = [t for t in fn.triggers if t.public and t.kind.is_http and t.authorizer.kind not in _STRONG_AUTH]
        if not open_routes:
            continue
        rc = fn.reserved_concurrency
        limit = whole_number(rc.value) if rc.is_set else None
        if limit is None or limit <= 0:
            continue  # unset is DOS001's finding; 0 means switched off on purpose
        timeout = _timeout(app, fn)
        if not (limit <= TINY_CONCURRENCY or (limit <= LOW_CONCURRENCY and timeout >= SLOW_TIMEOUT)):
            continue
        yield _hit(app, fn, rc, limit, timeout, open_routes)


def _hit(app: App, fn: Function, rc: Value[int], limit: int, timeout: int, routes: list[Trigger]) -> Hit:
    strangers = [t for t in routes if t.authorizer.kind not in _WEAK_AUTH]
    shown = strangers or routes
    where = ", ".join(t.describe for t in shown)
    keyed = all(t.api_key_required or t.authorizer.kind is AuthKind.API_KEY for t in shown)
    who = (
        "anyone with an API key"
        if strangers and keyed
        else "anyone"
        if strangers
        else "any caller the custom authorizer lets through"
    )
    per_second = limit / timeout
    rate = f"{per_second:.2g} request{'s' if per_second != 1 else ''} per second"
    requests = f"{limit} concurrent request{'s' if limit != 1 else ''} taking {timeout} s each"
    block = "blocks" if limit == 1 else "block"
    return Hit(
        setting_loc(rc, fn.loc),
        f"function {fn.name}: reserved concurrency is {limit}{inherited_note(app, rc)} and the timeout {timeout} s, "
        f"so {requests} {block} the function for every other caller; "
        f"{who} can keep it saturated from {where} with about {rate}",
        function=fn.id,
        evidence=f"reserved concurrency={limit}; timeout={timeout} s; public: {where}",
        remediation=by_dialect(
            app,
            serverless=(
                f"Raise `reservedConcurrency` of {fn.name} to the expected peak with head room, lower `timeout` to "
                "just above the real duration, and throttle the API per client (usage plan or route throttling)."
            ),
            sam=(
                "Raise `ReservedConcurrentExecutions` to the expected peak with head room, lower `Timeout`, and "
                "throttle the API per client (`Auth.UsagePlan` or stage `MethodSettings` throttling)."
            ),
            cloudformation=(
                "Raise `ReservedConcurrentExecutions` to the expected peak with head room, lower `Timeout`, and "
                "throttle the API per client (usage plan, stage `MethodSettings` or route throttling)."
            ),
        ),
        severity=None if strangers else Severity.LOW,
        key="reserved-concurrency-low",
    )


def _timeout(app: App, fn: Function) -> int:
    """The function's timeout in seconds: its own (or inherited) value, else the dialect's default."""
    seconds = whole_number(fn.timeout.value) if fn.timeout.is_set else None
    if seconds is not None and seconds > 0:
        return seconds
    return _DEFAULT_TIMEOUT.get(app.dialect, _AWS_DEFAULT_TIMEOUT)
