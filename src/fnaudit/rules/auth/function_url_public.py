"""AUTH002: a Lambda function URL that anyone on the internet can call."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, FunctionUrl
from fnaudit.rules._common import by_dialect
from fnaudit.rules.registry import Context, rule


@rule(
    "AUTH002",
    "function-url-without-auth",
    title="Function URL with AuthType NONE",
    category=Category.AUTH,
    severity=Severity.HIGH,
    cwe=(306,),
    owasp=("SAS-2",),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
        "https://www.serverless.com/framework/docs/providers/aws/guide/functions#lambda-function-urls",
    ),
)
def function_url_without_auth(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions with a function URL whose auth type is `NONE`: a public HTTPS endpoint
    (`https://<id>.lambda-url.<region>.on.aws`) that invokes the function for any caller, with no
    API Gateway in front (so no authorizer, no throttling, no WAF). In serverless.yml,
    `url: true` (or a `url` block without `authorizer: aws_iam`) means `NONE`.

    ## When it speaks

    - **Speaks when**: a function has a function URL whose `AuthType` is `NONE`, or a Serverless Framework `url:
      true` with no authorizer (Lambda's default for it is `NONE`). Always high.
    - **Evidence**: the message names the function; the finding sits on the `AuthType` line when it is written,
      else on the URL's declaration; the evidence is `FunctionUrl AuthType=NONE`.
    - **Stays quiet**: `AuthType: AWS_IAM`; an `AuthType` given by a parameter or expression the loader cannot
      resolve (not evidence either way); functions without a URL.

    ## Why it matters

    The function runs for whoever finds the URL, with whatever input they send, and each call is
    billed. Function URLs are easy to create and easy to forget: they often outlive the test that
    needed them.

    ## How to fix

    Use IAM auth and sign requests (SigV4), or put the function behind API Gateway with an
    authorizer. In serverless.yml: `url: {authorizer: aws_iam}`. In SAM:
    `FunctionUrlConfig: {AuthType: AWS_IAM}`. In CloudFormation: `AuthType: AWS_IAM` on the
    `AWS::Lambda::Url`. If the URL is public by design (a webhook that checks a signature in the
    handler), suppress the finding with a reason.

    ## Example

    Bad (serverless.yml):

    ```yaml
    functions:
      webhook:
        handler: hook.handle
        url: true
    ```

    Good:

    ```yaml
    functions:
      webhook:
        handler: hook.handle
        url:
          authorizer: aws_iam
    ```

    Bad (SAM): `FunctionUrlConfig: {AuthType: NONE}`. Good (SAM): `FunctionUrlConfig: {AuthType: AWS_IAM}`.

    ## References

    - CWE-306: Missing Authentication for Critical Function
    """
    for fn in app.functions:
        url = fn.url
        if url is None or not _is_open(url):
            continue
        loc = url.auth_type.loc if url.auth_type.is_set and url.auth_type.loc.path else url.loc
        yield Hit(
            loc,
            f"function {fn.name}: its function URL has AuthType NONE; anyone on the internet can invoke it",
            function=fn.id,
            evidence="FunctionUrl AuthType=NONE",
            remediation=by_dialect(
                app,
                serverless=f"Set `url: {{authorizer: aws_iam}}` on {fn.name} and sign requests with SigV4, or remove the URL.",
                sam="Set `FunctionUrlConfig: {AuthType: AWS_IAM}` and sign requests with SigV4, or remove the URL.",
                cloudformation="Set `AuthType: AWS_IAM` on the `AWS::Lambda::Url` and sign requests with SigV4.",
            ),
            key="url",
        )


def _is_open(url: FunctionUrl) -> bool:
    auth = url.auth_type
    if auth.is_unresolved:
        return False  # a parameter we cannot read: not evidence either way
    if auth.is_default:
        return True  # serverless `url: true`: Lambda's default for a URL without authorizer is NONE
    return str(auth.value).strip().upper() == "NONE"
