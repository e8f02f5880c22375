"""DRIFT006: a deployed function whose routes or function URL authenticate otherwise than the IaC declares."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.drift import Difference, Setting
from fnaudit.rules.drift._common import setting_hits
from fnaudit.rules.registry import Context, rule


@rule(
    "DRIFT006",
    "auth-drift",
    title="Deployed authentication differs from the IaC",
    category=Category.AUTH,
    severity=Severity.MEDIUM,
    cwe=(1068, 306),
    owasp=("SAS-2", "SAS-3"),
    references=(
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-control-access-to-api.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
    ),
)
def auth_drift(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    API Gateway routes (per method and path) and function URLs of a deployed function whose authorization is
    not the one the IaC declares: an authorizer of another kind or none, an API key requirement dropped, a
    route or URL that exists on one side only, a URL auth type changed. High when the deployment authenticates
    less (no authorizer where the IaC has one, a new route or URL anyone can call, `AuthType: NONE` where
    the IaC says `AWS_IAM`), medium otherwise. Only an account scan with `--compare PATH` reports it.

    ## When it speaks

    - **Speaks when**: a route `METHOD /path` of the function has another authorizer kind deployed than
      declared (none, API key, IAM, Cognito, JWT, Lambda), exists on one side only, or the function URL's
      auth type differs or the URL exists on one side only. High when the deployed side is weaker.
    - **Evidence**: the message names the function, the route or URL, both authorization kinds and the IaC
      file and line; the finding sits on the deployed route or URL; the key is `http-auth|<METHOD /path>|<change>`
      or `url-auth||<change>`.
    - **Stays quiet**: every scan without `--compare`; an authorizer whose kind one side cannot tell facing
      another authorizer; an auth type the IaC gives by a value it cannot resolve.

    ## Why it matters

    Broken authentication (OWASP Serverless SAS-2): an authorizer removed in the console, or a function URL
    opened to test something, makes a route public while the repository, and every review of it, says it is
    protected.

    ## How to fix

    Redeploy the API and the function URL from the IaC, and find out who changed them. If the change is
    intended, write it in the IaC so that it is reviewed like any other.

    ## Example

    Bad: serverless.yml protects `GET /orders` with a Cognito authorizer; the deployed API has
    `AuthorizationType: NONE` on it.

    Good: the deployed method has the Cognito authorizer the IaC declares.

    ## References

    - CWE-1068: Inconsistency Between Implementation and Documented Design
    - CWE-306: Missing Authentication for Critical Function
    """
    yield from setting_hits(
        app,
        frozenset({Setting.HTTP_AUTH, Setting.URL_AUTH}),
        "Redeploy the API and the function URL from the IaC; if the change is intended, write it in the IaC.",
        _severity,
    )


def _severity(d: Difference) -> Severity | None:
    return Severity.HIGH if d.wider else None
