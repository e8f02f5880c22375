"""DOS001: a public function that can scale to the account's whole concurrency."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, AuthKind, InvokePermission, Trigger, anyone
from fnaudit.model.facts import Fact
from fnaudit.rules._common import by_dialect
from fnaudit.rules.registry import Context, rule


@rule(
    "DOS001",
    "public-function-without-concurrency-limit",
    title="Public function without reserved concurrency",
    category=Category.AVAILABILITY,
    severity=Severity.MEDIUM,
    cwe=(770,),
    owasp=("SAS-8",),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html",
    ),
    needs=(Fact.CODE,),  # a signature or token the code verifies counts as authentication too
)
def public_function_without_concurrency_limit(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions that anyone can invoke without authenticating and that set no reserved concurrency,
    so a burst of requests can scale them up to the account's regional concurrency limit. Reachable
    without authentication means one of:

    - a public HTTP trigger (an internet-facing API route or ALB) with no authorizer, or whose
      only protection is an API key (a key identifies a client, it does not authenticate one, and
      keys ship in web and mobile apps);
    - a function URL with `AuthType: NONE`;
    - an invoke permission for any principal (`Principal: "*"` with neither `SourceArn` nor
      `SourceAccount`).

    An authorizer of any kind (Cognito, JWT, Lambda, IAM), IAM authorization on a function URL, or a
    signature or token the code verifies before any other work (an HMAC compare, a verified JWT, a
    webhook verifier) silences it: unauthenticated requests are refused before the function runs, so strangers
    cannot make it scale, and a caller who signed in is one an operator can find and block. A
    reserved concurrency whose value is unresolved (a `${param:…}`) counts as set. Private APIs,
    internal ALBs and non-HTTP triggers (queues, streams, schedules) are never reported.

    ## When it speaks

    - **Speaks when**: a function is reachable without authentication — a public route with no authorizer or
      only an API key, a function URL with `AuthType: NONE`, or an invoke permission for any principal
      (AUTH003's grant) — and sets no reserved concurrency (`reservedConcurrency`,
      `ReservedConcurrentExecutions`). Medium.
    - **Evidence**: the message names the function and each way in (the routes, the URL, the permission's line);
      the finding sits on the function; the evidence lists the unauthenticated ways in and `reserved
      concurrency: not set`.
    - **Stays quiet**: functions behind an authorizer (Cognito, JWT, Lambda, IAM), functions whose code verifies
      a signature or token before doing any work (an HMAC compare, a verified JWT, a webhook verifier), or reached
      only by internal triggers; an invoke permission narrowed by `SourceArn`/`SourceAccount`; a reserved concurrency given by a
      parameter the loader cannot resolve (a limit we cannot read is not a missing one).

    ## Why it matters

    Denial of wallet: every request an attacker sends is a billed invocation, and the function
    scales to match. Denial of service: the function consumes the concurrency that all other
    functions in the account and region share, so a flood on one public endpoint throttles
    unrelated workloads.

    ## How to fix

    Cap the function with reserved concurrency sized for its expected peak, and throttle the API.
    In serverless.yml: `reservedConcurrency: 20` on the function. In SAM / CloudFormation:
    `ReservedConcurrentExecutions: 20`.

    ## Example

    Bad (serverless.yml):

    ```yaml
    functions:
      search:
        handler: search.handler
        events:
          - httpApi: GET /search
    ```

    Good:

    ```yaml
    functions:
      search:
        handler: search.handler
        reservedConcurrency: 20
        events:
          - httpApi: GET /search
    ```

    ## References

    - CWE-770: Allocation of Resources Without Limits or Throttling
    """
    open_grants = _open_invoke_grants(app)
    for fn in app.functions:
        if fn.code_facts is not None and fn.code_facts.auth_checks:
            continue  # the code refuses callers without a valid signature or token before doing any work
        doors = [_door(t) for t in fn.triggers if t.public and not t.is_authenticated]
        doors += [f"invoke permission for any principal at {where}" for where in open_grants.get(fn.name, ())]
        if not doors:
            continue
        rc = fn.reserved_concurrency
        if rc.is_set or rc.is_unresolved:
            continue  # an unresolved value is a limit we cannot read, not a missing one
        public = ", ".join(doors)
        yield Hit(
            fn.loc,
            f"function {fn.name} is reachable without authentication ({public}) and has no reserved "
            "concurrency: a request flood scales it to the account limit",
            function=fn.id,
            evidence=f"reachable without authentication: {public}; reserved concurrency: not set",
            remediation=by_dialect(
                app,
                serverless=f"Add `reservedConcurrency: <peak>` to {fn.name} (and throttle the API).",
                sam="Add `ReservedConcurrentExecutions: <peak>` to the function (and throttle the API).",
                cloudformation="Add `ReservedConcurrentExecutions: <peak>` to the `AWS::Lambda::Function`.",
            ),
            key="reserved-concurrency",
        )


def _door(t: Trigger) -> str:
    """How an unauthenticated caller gets in through `t`, as the message names it."""
    if t.authorizer.kind is AuthKind.API_KEY or t.api_key_required:
        return f"{t.describe}, protected only by an API key"
    return t.describe


def _open_invoke_grants(app: App) -> dict[str, list[str]]:
    """Function name → where an invoke permission lets any principal call it (the lines AUTH003 reports)."""
    out: dict[str, list[str]] = {}
    for perm in app.permissions:
        if perm.function and _open_to_anyone(perm):
            out.setdefault(perm.function, []).append(str(perm.principal_loc or perm.loc))
    return out


def _open_to_anyone(perm: InvokePermission) -> bool:
    """The grant AUTH003 reports: any principal, not narrowed by a source. One that backs a function URL is
    left out: the URL is a trigger of its own, judged by its AuthType."""
    if not anyone(perm.principal) or perm.source_arn or perm.source_account:
        return False
    return not (perm.function_url_auth_type or perm.via_function_url or "invokefunctionurl" in perm.action.lower())
