"""DOS001: a public function that can scale to the account's whole concurrency."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, AuthKind
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
)
def public_function_without_concurrency_limit(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions with at least one public trigger (an internet-facing API route, function URL or
    ALB) that set no reserved concurrency, so a burst of requests can scale them up to the
    account's regional concurrency limit. A trigger behind IAM authorization (`AWS_IAM` on a
    route or a function URL) does not count: unsigned requests are refused before the function
    runs, so strangers cannot make it scale.

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
    for fn in app.functions:
        open_to_strangers = [t for t in fn.triggers if t.public and t.authorizer.kind is not AuthKind.IAM]
        if not open_to_strangers:
            continue
        rc = fn.reserved_concurrency
        if rc.is_set or rc.is_unresolved:
            continue  # an unresolved value is a limit we cannot read, not a missing one
        public = ", ".join(t.describe for t in open_to_strangers)
        yield Hit(
            fn.loc,
            f"function {fn.name} is publicly reachable ({public}) and has no reserved concurrency: "
            "a request flood scales it to the account limit",
            function=fn.id,
            evidence=f"public triggers: {public}; reserved concurrency: not set",
            remediation=by_dialect(
                app,
                serverless=f"Add `reservedConcurrency: <peak>` to {fn.name} (and throttle the API).",
                sam="Add `ReservedConcurrentExecutions: <peak>` to the function (and throttle the API).",
                cloudformation="Add `ReservedConcurrentExecutions: <peak>` to the `AWS::Lambda::Function`.",
            ),
            key="reserved-concurrency",
        )
