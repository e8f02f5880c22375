"""SECRET005: a secret the function's code writes to /tmp or returns to its caller."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.model.secrets import SecretPlace
from fnaudit.rules.registry import Context, rule
from fnaudit.rules.secrets._files import candidates, functions_of, names


@rule(
    "SECRET005",
    "secret-written-to-tmp-or-response",
    title="Secret written to /tmp or returned in a response",
    category=Category.SECRETS,
    severity=Severity.HIGH,
    cwe=(200, 312, 532),
    owasp=("SAS-7", "SAS-10"),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html",
    ),
    needs=(Fact.SECRETS,),
)
def secret_written_to_tmp_or_response(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    In Python handlers, a secret — read from a secret-named environment variable
    (`os.environ["DB_PASSWORD"]`) or fetched from Secrets Manager, SSM Parameter Store (with
    decryption) or KMS — that the code writes to a file under `/tmp`, or that a handler
    (`def handler(event, context)`) returns. Fetching a secret once and caching it in a
    module-level variable is the recommended pattern and is not reported.

    ## When it speaks

    - **Speaks when**: in a Python handler (intra-procedural, through assignments), a value read from an
      environment variable whose name says secret (`os.environ[...]`, `.get`, `os.getenv`) or fetched from
      Secrets Manager, SSM with decryption (`get_parameter` needs `WithDecryption`) or KMS (`get_secret_value`,
      `get_parameters`, `decrypt`…) is written to a file under `/tmp`, or returned by the handler. High, medium
      confidence.
    - **Evidence**: the message names the function, where the secret comes from (`os.environ['DB_PASSWORD']`,
      `get_secret_value()`) and whether it is written to /tmp or returned; the finding sits on the write or the
      return; the evidence is the source.
    - **Stays quiet**: a secret fetched once and cached in module scope (the recommended pattern);
      `get_parameter` without decryption; environment variables whose name says nothing secret; flows through
      helpers other than the known fetch calls; secrets only logged (CODE014).

    ## Why it matters

    `/tmp` outlives the invocation: the next invocations in the same execution environment, and
    any code that runs there (a vulnerable dependency, an injected command), can read it, and it
    is not encrypted by the function's KMS key. A secret in a response reaches the caller, API
    Gateway logs and any client-side cache.

    ## How to fix

    Keep the secret in memory (a module-level cache); if a file is unavoidable (a client
    certificate for a driver), write it with mode 0600, delete it after use and never return it.
    Return only what the caller needs.

    ## Example

    Bad:

    ```python
    def handler(event, context):
        token = os.environ["API_TOKEN"]
        with open("/tmp/token", "w") as f:
            f.write(token)
        return {"statusCode": 200, "body": token}
    ```

    Good:

    ```python
    TOKEN = parameters.get_secret(os.environ["API_TOKEN_SECRET_ID"])  # cached per container

    def handler(event, context):
        call_api(TOKEN)
        return {"statusCode": 204}
    ```

    ## References

    - CWE-200: Exposure of Sensitive Information to an Unauthorized Actor
    - CWE-312: Cleartext Storage of Sensitive Information
    """
    for c in candidates(app, SecretPlace.TMP_WRITE, SecretPlace.RESPONSE):
        function, functions = functions_of(app, c)
        where = "writes it to /tmp" if c.place is SecretPlace.TMP_WRITE else "returns it to the caller"
        src = f" from {c.detail}" if c.detail else ""
        yield Hit(
            c.loc,
            f"{names(app, c)}the code reads a secret{src} and {where}",
            function=function,
            functions=functions,
            evidence=c.detail,
            remediation=(
                "Keep the secret in memory (fetch once, cache in module scope); never write it under /tmp or put it "
                "in a response or a return value of the handler."
            ),
            severity=Severity.parse(c.severity),
            key=f"{c.place.value}:{c.key or c.detail}",
            confidence=c.confidence,
        )
