"""SECRET002 / SECRET003: secrets written in a function's code or in configuration files bundled with it."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.secrets.slots import CREDENTIAL_API
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.model.secrets import SecretPlace
from fnaudit.rules.registry import Context, rule
from fnaudit.rules.secrets._files import candidates, hit, store_remediation

_REFS = (
    "https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html",
    "https://docs.aws.amazon.com/systems-manager/latest/userguide/ps-integration-lambda-extensions.html",
    "https://docs.powertools.aws.dev/lambda/python/latest/utilities/parameters/",
)


@rule(
    "SECRET002",
    "secret-in-code",
    title="Secret written in a function's source code",
    category=Category.SECRETS,
    severity=Severity.HIGH,
    cwe=(798, 259),
    owasp=("SAS-7",),
    references=_REFS,
    needs=(Fact.SECRETS,),
)
def secret_in_code(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    String literals in a function's code (Python, JavaScript / TypeScript, Java, Go, …) that are
    credentials: a value in one of 150+ known formats (AWS access keys and session tokens, GitHub,
    GitLab, Slack, Stripe, Twilio, SendGrid, Google, Azure, OpenAI / Anthropic and other AI keys,
    private keys, JWTs, database URLs with a password, …), or a random-looking value bound to a
    name that says secret (`API_KEY = "…"`, `"clientSecret": "…"`, `password="…"`,
    `os.environ.get("DB_PASSWORD", "…")`). Placeholders (`changeme`, `<your-key>`, `…EXAMPLE`,
    `xxxx`), references (`${ssm:…}`, ARNs, parameter names), identifiers (UUIDs, commit SHAs,
    handler paths, bucket names) and prose are not reported; a value in a test file is reported at
    low confidence. JWTs are decoded: one that never expires or is signed with a shared secret is
    called out. Values are shown as their first 4 characters and length only.

    Short password words name a password too (`db_pw`, `adminPwd`, `SMTP_PASS`; not `pass_through`,
    `passenger`, `bypass`). Some slots are reported **whatever the value looks like**, since there a
    guessable value is still the secret: signing keys (Flask `app.secret_key`, Django `SECRET_KEY`,
    `JWT_SECRET`, the key argument of `jwt.encode` / `jwt.sign` / `jwt.verify` / `hmac.new` /
    `crypto.createHmac` / `cookieParser`, express-session's `secret`), whose reader can forge the
    sessions and tokens they sign; and passwords given to AWS credential APIs (`admin_create_user(
    TemporaryPassword=…)`, `admin_set_user_password(Password=…)`, `create_db_instance(
    MasterUserPassword=…)`, `create_login_profile(Password=…)`, the SDK v3 `…Command` inputs), where
    even a placeholder is the account's real password once the code has run. Only substitution syntax,
    a slot left to be filled in (`<your-key>`, `xxxx`) and references are not reported there.

    ## When it speaks

    - **Speaks when**: the secrets engine finds a literal in a function's code (files of its module graph) that
      is a secret by its format, or by the name or SDK slot it is assigned to (a signing key, the password
      argument of an AWS credential API, which is reported even when it looks like a placeholder). The value
      must look like a secret by itself: a known credential format (AWS keys, private keys, provider tokens,
      JWTs…), or a literal under a name that says secret (`password`, `api_key`, `token`…) that is not a
      placeholder, a reference (`${ssm:…}`, `{{resolve:…}}`, an ARN), an identifier, a path or an expression.
      Severity and confidence are the engine's verdict; test and sample files lower the confidence.
    - **Evidence**: the message names the function(s) sharing the file, what the secret is, the variable or
      argument it is assigned to and a redacted preview, plus notes (test file, `alg: none` JWT, never expires);
      the finding sits on the literal's line; files no function ships are attributed as unclaimed.
    - **Stays quiet**: SDK parameters with known meanings (`Key`, `Bucket`, `TableName`); values read from the
      environment or a secret store at runtime; placeholders and format strings.

    ## Why it matters

    A secret in code is in the repository, its history, every clone, the deployment package and
    every copy of it (`lambda:GetFunction` returns a download link for the code). It cannot be
    rotated without a code change and a redeploy, and it is the same in every stage.

    ## How to fix

    Keep the secret in AWS Secrets Manager (or SSM Parameter Store as a SecureString), pass the
    secret's name or ARN in an environment variable, and read it at runtime, once per container
    (cache it in module scope). Then rotate the exposed value: it is already in the history.

    ## Example

    Bad (handler.py):

    ```python
    STRIPE_KEY = "sk_live_51H..."
    app.secret_key = "dev"
    token = jwt.encode(claims, "secret", algorithm="HS256")
    cognito.admin_create_user(UserPoolId=pool, Username=user, TemporaryPassword="Temp-2026!")
    ```

    Good:

    ```python
    import os
    from aws_lambda_powertools.utilities import parameters

    STRIPE_KEY = parameters.get_secret(os.environ["STRIPE_SECRET_ID"])  # fetched once, cached
    app.secret_key = parameters.get_secret(os.environ["SESSION_SECRET_ID"])
    # a temporary password Cognito generates and sends: leave TemporaryPassword out
    cognito.admin_create_user(UserPoolId=pool, Username=user)
    ```

    Inline allowlisting: `# fnaudit: ignore[SECRET002] test key for the sandbox account`.

    ## References

    - CWE-798: Use of Hard-coded Credentials
    - CWE-259: Use of Hard-coded Password
    """
    for c in candidates(app, SecretPlace.CODE):
        where = f" assigned to {c.key}" if c.key else ""
        if c.key and CREDENTIAL_API in c.flags:
            where = f" passed as {c.key} to an AWS credential API"
        yield hit(
            app, c, f"{c.what}{where} is written in the code ({c.preview})", store_remediation(app, c.key or c.detector)
        )


@rule(
    "SECRET003",
    "secret-in-config-file",
    title="Secret in a configuration file bundled with a function",
    category=Category.SECRETS,
    severity=Severity.HIGH,
    cwe=(798, 312, 538),
    owasp=("SAS-7",),
    references=_REFS,
    needs=(Fact.SECRETS,),
)
def secret_in_config_file(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Secrets in configuration files inside a function's package or beside the IaC file: `.env`
    files, `config.json` / `*.json`, `*.yml`, `*.ini` / `*.cfg` / `*.toml` / `*.properties`,
    `.npmrc` / `.pypirc`, PEM key files, and configuration modules (`settings.py`, `config.js`,
    `secrets.py`). The same detectors and context rules as SECRET002 apply (known formats,
    secret-named keys with random-looking values, placeholders and references skipped; signing
    keys such as `SECRET_KEY` / `JWT_SECRET` whatever their value, `<your-key>`-style blanks
    excepted). Files
    named as samples (`.env.example`, `config.sample.json`) and test fixtures are reported at low
    confidence. IaC templates themselves are read by SECRET001 and SECRET004 instead.

    ## When it speaks

    - **Speaks when**: the secrets engine finds a secret in a configuration file bundled with a function
      (`.env*`, `.npmrc`, `.pypirc`, `.netrc`, `credentials`, private key files, JSON/YAML/TOML/INI/properties
      files, and code files named like configuration: `settings.py`, `config.js`, `secrets.py`…), by format or
      by key. The value must look like a secret by itself: a known credential format (AWS keys, private keys,
      provider tokens, JWTs…), or a literal under a name that says secret (`password`, `api_key`, `token`…) that
      is not a placeholder, a reference (`${ssm:…}`, `{{resolve:…}}`, an ARN), an identifier, a path or an
      expression. Severity and confidence are the engine's verdict; sample and test files lower the confidence.
    - **Evidence**: the message names the function(s) shipping the file, what the secret is, the key it sits
      under and a redacted preview; the finding sits on the value's line.
    - **Stays quiet**: keys whose values are references, placeholders, identifiers or paths; secrets in ordinary
      code files (SECRET002).

    ## Why it matters

    Whatever sits in the function's folder is zipped into the deployment package: the `.env`
    meant for local runs ships to Lambda, to the artifact bucket and to everyone who can call
    `lambda:GetFunction`. It is usually also committed.

    ## How to fix

    Move the value to AWS Secrets Manager or SSM Parameter Store (SecureString) and reference it
    (`${ssm:…}` in serverless.yml, `{{resolve:secretsmanager:…}}` or a secret ARN in SAM /
    CloudFormation), read it at runtime, and exclude local-only files from the package
    (`package.patterns: ['!.env*']` in serverless.yml, a `.samignore`-free `CodeUri` folder).
    Rotate the exposed value.

    ## Example

    Bad (`src/.env`, packaged with the function):

    ```
    DATABASE_URL=postgres://app:S3cr3t@db.internal:5432/app
    ```

    Good: `DB_SECRET_ARN` in the function's environment, pointing at a Secrets Manager secret,
    and the `.env` kept out of the package.

    ## References

    - CWE-798: Use of Hard-coded Credentials
    - CWE-312: Cleartext Storage of Sensitive Information
    - CWE-538: Insertion of Sensitive Information into Externally-Accessible File or Directory
    """
    for c in candidates(app, SecretPlace.CONFIG):
        where = f" under {c.key}" if c.key else ""
        yield hit(
            app,
            c,
            f"{c.what}{where} in a bundled configuration file ({c.preview})",
            store_remediation(app, c.key or c.detector),
        )
