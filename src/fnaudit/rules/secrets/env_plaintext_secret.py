"""SECRET001: secrets written in clear in a function's environment variables."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.secrets.context import Place, judge, secret_word
from fnaudit.engines.secrets.detectors import Confidence, detect
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, Function
from fnaudit.model.loc import RefKind, Value
from fnaudit.redact import redact
from fnaudit.rules._common import by_dialect
from fnaudit.rules.registry import Context, rule


@rule(
    "SECRET001",
    "plaintext-secret-in-environment",
    title="Plaintext secret in a function environment variable",
    category=Category.SECRETS,
    severity=Severity.HIGH,
    cwe=(798, 312),
    owasp=("SAS-7",),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-encryption",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html",
        "https://www.serverless.com/framework/docs/providers/aws/guide/variables#reference-variables-using-the-ssm-parameter-store",
    ),
)
def plaintext_secret_in_environment(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Environment variables of a function (set on it, or inherited from `provider.environment` /
    `Globals.Function.Environment`) whose value is a secret written in the template:

    - values in a known credential format, whatever the variable is called: AWS access key IDs
      (and a 40-character secret key beside one), GitHub / GitLab / Slack / Stripe / SendGrid /
      npm / Google / OpenAI / Anthropic tokens, Slack webhooks, PEM private keys, JWTs, and URLs
      with a password (`postgres://app:s3cr3t@db:5432/app`);
    - values of variables named as secrets (`DB_PASSWORD`, `API_KEY`, `CLIENT_SECRET`,
      `AUTH_TOKEN`, `PRIVATE_KEY`, `SENTRY_DSN`, …) that are not placeholders (`changeme`,
      `<your-key>`, `TODO`, empty, `xxxx`), flags or numbers, and not references to where the
      secret lives: `${ssm:…}`, `{{resolve:secretsmanager:…}}`, a `Ref` to an
      `AWS::SecretsManager::Secret`, an ARN, a parameter path (`/app/db/password`,
      `prod/db/password`). Names that say the variable locates or configures a secret
      (`DB_PASSWORD_SECRET_ARN`, `TOKEN_TABLE`, `MYSQL_ALLOW_EMPTY_PASSWORD`) are not reported.

    Values are never shown in clear: messages carry the first characters and the length only.

    ## When it speaks

    - **Speaks when**: a function's environment variable (its own or inherited) holds a literal string that the
      secrets engine judges a plaintext secret in an environment. The value must look like a secret by itself: a
      known credential format (AWS keys, private keys, provider tokens, JWTs…), or a literal under a name that
      says secret (`password`, `api_key`, `token`…) that is not a placeholder, a reference (`${ssm:…}`,
      `{{resolve:…}}`, an ARN), an identifier, a path or an expression. An AWS secret access key is recognised
      by its shape when an access key id sits in the same environment. High; medium for a format of medium
      confidence or a medium-rated value under a name that says nothing secret.
    - **Evidence**: the message names the function, the variable and what it holds, with the value redacted; the
      finding sits on the variable's line; the evidence is `NAME=<redacted>`.
    - **Stays quiet**: references to a secret store; values filled in at scan time from the environment or a CLI
      option (not written in the repository); non-string values; placeholders and names with a value that is no
      secret.

    ## Why it matters

    A secret in the template is in the repository history, in every clone and CI log, in the
    deployment artifacts, and in the function configuration that anyone with
    `lambda:GetFunctionConfiguration` can read in clear. It cannot be rotated without a
    redeploy, and it is the same in every stage.

    ## How to fix

    Keep the secret in AWS Secrets Manager or SSM Parameter Store (SecureString) and pass a
    reference. Best: pass only the name (`DB_SECRET_ID: prod/db`) and read the value at runtime
    (SDK, or the Parameters and Secrets Lambda extension), with `secretsmanager:GetSecretValue`
    on that secret. At least: let the deployment resolve it, `${ssm:/app/prod/db-password}` in
    serverless.yml, `{{resolve:secretsmanager:prod/db:SecretString:password}}` in SAM /
    CloudFormation. Then rotate the exposed value: it is already in the repository history.

    ## Example

    Bad (serverless.yml):

    ```yaml
    environment:
      DB_PASSWORD: Pr0d-Db#2026
      STRIPE_KEY: sk_live_51H...
    ```

    Good:

    ```yaml
    environment:
      DB_SECRET_ARN: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbCdEf
      STRIPE_KEY: ${ssm:/payments/prod/stripe-key}
    ```

    Bad (SAM): `Environment: {Variables: {API_TOKEN: ghp_abc...}}`.
    Good (SAM): `API_TOKEN: '{{resolve:secretsmanager:ci/github:SecretString:token}}'`.

    ## References

    - CWE-798: Use of Hard-coded Credentials
    - CWE-312: Cleartext Storage of Sensitive Information
    """
    for fn in app.functions:
        plain = {k: v for k, v in fn.environment.items() if _literal(v) is not None}
        has_aws_key_id = any(_detector_id(_literal(v)) == "aws-access-key-id" for v in plain.values())
        for key in sorted(plain):
            value = plain[key]
            text = _literal(value)
            assert text is not None
            verdict = _judge(key, text, has_aws_key_id)
            if verdict is None:
                continue
            what, severity = verdict
            yield Hit(
                value.loc,
                f"function {fn.name}: environment variable {key} holds {what} in plaintext ({redact(text)})",
                function=fn.id,
                evidence=f"{key}={redact(text)}",
                remediation=_remediation(app, fn, key),
                severity=severity,
                key=key,
            )


def _literal(value: Value[str]) -> str | None:
    """The value as written when it is a literal string; None for references, unresolved or non-strings."""
    if not value.is_set or value.is_secret_reference:
        return None
    if value.ref is not None and value.ref.kind in (RefKind.ENVIRONMENT, RefKind.OPTION):
        return None  # filled in from outside the template at scan time: not written in the repository
    return value.value if isinstance(value.value, str) else None


def _detector_id(text: str | None) -> str | None:
    found = detect(text) if text else None
    return found[0].id if found else None


def _judge(key: str, text: str, beside_aws_key_id: bool) -> tuple[str, Severity | None] | None:
    """(what it is, severity override) when the variable holds a plaintext secret, else None."""
    verdict = judge(key, text, Place.ENVIRONMENT, beside_aws_key_id=beside_aws_key_id)
    if verdict is None:
        return None
    # A medium-confidence format (a JWT, a Twilio-like id) under a name that says nothing is less certain.
    if verdict.confidence is not Confidence.HIGH and secret_word(key) is None:
        return verdict.what, Severity.MEDIUM
    if verdict.severity == "medium" and secret_word(key) is None:
        return verdict.what, Severity.MEDIUM
    return verdict.what, None


def _remediation(app: App, fn: Function, key: str) -> str:
    return by_dialect(
        app,
        serverless=(
            f"Move the value of {key} to SSM Parameter Store (SecureString) or Secrets Manager and reference it, "
            f"e.g. `{key}: ${{ssm:/<service>/<stage>/{key.lower()}}}`, or better pass only the secret's name and read it "
            f"at runtime; then rotate the exposed value."
        ),
        sam=(
            f"Store the value in Secrets Manager and use `{key}: '{{{{resolve:secretsmanager:<secret-name>:SecretString:<json-key>}}}}'`, "
            "or pass the secret ARN and read it at runtime; then rotate the exposed value."
        ),
        cloudformation=(
            f"Store the value in Secrets Manager and use `{key}: '{{{{resolve:secretsmanager:<secret-name>:SecretString:<json-key>}}}}'`, "
            "or pass the secret ARN and read it at runtime; then rotate the exposed value."
        ),
    )
