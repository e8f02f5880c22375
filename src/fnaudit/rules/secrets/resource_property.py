"""SECRET006: a password or secret written as a property of a resource in the IaC template."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from fnaudit.engines.secrets.context import Place, Verdict, is_password_name, judge, secret_word, slot_verdict
from fnaudit.engines.secrets.slots import API_PASSWORD, AWS_ONLY_PASSWORD_PARAMS, CREDENTIAL_API
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, Resource
from fnaudit.model.loc import Loc, line_in
from fnaudit.redact import redact
from fnaudit.rules._common import by_dialect
from fnaudit.rules.registry import Context, rule

# Properties SECRET001 reads (a function's environment) and code SECRET002 reads (inline code).
_FUNCTION_TYPES = frozenset({"AWS::Lambda::Function", "AWS::Serverless::Function"})
_SKIPPED_OF_FUNCTIONS = frozenset({"Environment", "Code", "InlineCode"})
_FLAG_VALUES = frozenset({"true", "false", "yes", "no", "on", "off"})
MAX_DEPTH = 12


@dataclass(frozen=True, slots=True)
class _Literal:
    path: str  # LoginProfile.Password
    key: str
    text: str
    loc: Loc


@rule(
    "SECRET006",
    "secret-in-resource-property",
    title="Password or secret written as a resource property in the template",
    category=Category.SECRETS,
    severity=Severity.HIGH,
    cwe=(798, 259, 312),
    owasp=("SAS-7",),
    references=(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/security-best-practices.html#creds",
    ),
)
def secret_in_resource_property(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Literal passwords and secrets written as properties of the app's resources in a CloudFormation /
    SAM template or a serverless.yml `resources:` block: the master password of a database
    (`AWS::RDS::DBInstance` / `DBCluster`, Redshift, DocumentDB, Neptune `MasterUserPassword`), an IAM
    user's console password (`LoginProfile.Password`), a Cognito user's `TemporaryPassword` (custom
    resources), Amazon MQ users, DMS endpoints, an EventBridge connection's credentials, a Glue
    connection's `PASSWORD`, a password passed to a nested stack. A property whose name ends in a
    password word is reported **whatever its value looks like**: `MasterUserPassword: changeme` is the
    database's real password once the stack is deployed. Other secret-named properties (`ClientSecret`,
    `ApiKeyValue`) are reported when the value looks like a credential. Dynamic references
    (`{{resolve:secretsmanager:…}}`, `{{resolve:ssm-secure:…}}`), `!Ref` / `!Sub` / `!GetAtt`,
    `${ssm:…}` and other variables are not: the value is not in the template. Function environments
    are SECRET001's and template parameter defaults SECRET004's.

    ## When it speaks

    - **Speaks when**: a literal property of a template resource (any depth, its line located) holds a password
      or secret: a property named like a password (`MasterUserPassword`, `LoginProfile.Password`, the AWS
      password parameters), judged as a password slot and reported even when it looks like a placeholder, or a
      property whose name is a strong secret word and whose value the secrets engine judges a secret. Severity
      and confidence are the engine's verdict.
    - **Evidence**: the message names the resource, its type, the property path and what it holds, with a
      redacted preview; the finding sits on the property's line; the evidence is `<path>=<redacted>`.
    - **Stays quiet**: values computed at deployment (`Ref`, `Fn::…`, `{{resolve:…}}`, unresolved variables);
      `Tags`; the environment and inline code of functions (SECRET001, SECRET002); flags such as
      `ManageMasterUserPassword: true`; weak words (`Key`, `Token`, `Auth…`) that name many things in resource
      properties.

    ## Why it matters

    The template is in the repository, its history and every clone, in the deployment bucket, and in
    the stack (`GetTemplate` returns it to anyone who may describe the stack). A placeholder password
    that was meant to be changed after the first deployment rarely is, and it is the same in every
    stage.

    ## How to fix

    Let the service keep the password: `ManageMasterUserPassword: true` for RDS and Aurora (the
    password lives in Secrets Manager and rotates). Otherwise create an `AWS::SecretsManager::Secret`
    with `GenerateSecretString` and use a dynamic reference where the password is needed; for an IAM
    user, do not create a console login in the template. Then change the exposed password.

    ## Example

    Bad:

    ```yaml
    Database:
      Type: AWS::RDS::DBInstance
      Properties:
        MasterUsername: admin
        MasterUserPassword: changeme
    ```

    Good:

    ```yaml
    Database:
      Type: AWS::RDS::DBInstance
      Properties:
        MasterUsername: admin
        ManageMasterUserPassword: true
    ```

    ## References

    - CWE-798: Use of Hard-coded Credentials
    - CWE-259: Use of Hard-coded Password
    - CWE-312: Cleartext Storage of Sensitive Information
    """
    for res in app.resources.values():
        for lit in _literals(res):
            verdict = _verdict(lit)
            if verdict is None:
                continue
            preview = redact(lit.text)
            note = (
                " (reported even when it looks like a placeholder: once deployed it is the real password)"
                if CREDENTIAL_API in verdict.flags
                else ""
            )
            yield Hit(
                lit.loc,
                f"resource {res.logical_id} ({res.type}): {lit.path} holds {verdict.what} written in the "
                f"template ({preview}){note}",
                evidence=f"{lit.path}={preview}",
                remediation=_remediation(app, res, lit.path),
                severity=Severity.parse(verdict.severity),
                key=f"{res.logical_id}:{lit.path}",
                confidence=verdict.confidence.value,
            )


def _verdict(lit: _Literal) -> Verdict | None:
    if lit.key in AWS_ONLY_PASSWORD_PARAMS or is_password_name(lit.key):
        if lit.text.strip().lower() in _FLAG_VALUES:
            return None  # `ManageMasterUserPassword: "true"`
        return slot_verdict(API_PASSWORD, lit.text)
    word = secret_word(lit.key)
    if word is None or not word[1]:
        return None  # `Key`, `Token`, `Auth…`: in resource properties these name many things that are no secret
    return judge(lit.key, lit.text, Place.PARAMETER)


def _literals(res: Resource) -> Iterator[_Literal]:
    props = res.properties
    skip = _SKIPPED_OF_FUNCTIONS if res.type in _FUNCTION_TYPES else frozenset()
    for key, value in props.items():
        if str(key) in skip or key == "Tags":  # tags are labels, read by anyone who can list the resource
            continue
        yield from _walk(props, key, value, str(key), res.loc, 0)


def _walk(container: Any, key: Any, value: Any, path: str, default: Loc, depth: int) -> Iterator[_Literal]:
    """Every literal string (or number) in a property value, with its dotted path and line. Intrinsic
    functions (`Ref`, `Fn::…`) are values computed at deployment, never walked into."""
    if depth > MAX_DEPTH:
        return
    if isinstance(value, Mapping):
        if any(str(k) == "Ref" or str(k).startswith("Fn::") for k in value):
            return
        for k, v in value.items():
            yield from _walk(value, k, v, f"{path}.{k}", default, depth + 1)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(value, i, v, f"{path}[{i}]", default, depth + 1)
    elif isinstance(key, str) and _is_literal(value):  # list items have no name: a name says what is secret
        yield _Literal(path, key, str(value), Loc(default.path, line_in(container, key, default.line)))


def _is_literal(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, str):
        return type(value) is str  # a subclass is a variable the loader left unresolved (`${ssm:…}`)
    return isinstance(value, int)


def _remediation(app: App, res: Resource, path: str) -> str:
    if res.type in ("AWS::RDS::DBInstance", "AWS::RDS::DBCluster") and path == "MasterUserPassword":
        fix = (
            "Remove MasterUserPassword and set `ManageMasterUserPassword: true`: RDS keeps the password in "
            "Secrets Manager and rotates it"
        )
    elif res.type == "AWS::IAM::User" and path.startswith("LoginProfile"):
        fix = (
            "Do not create a console login in the template (a function's IAM user needs none); if one is "
            "needed, set it outside the template with `PasswordResetRequired`"
        )
    else:
        fix = (
            f"Create an `AWS::SecretsManager::Secret` with `GenerateSecretString` and set {path} to "
            "`'{{resolve:secretsmanager:<secret-name>:SecretString:<json-key>}}'`"
        )
    stores = by_dialect(
        app,
        serverless="; in serverless.yml a `${ssm:…}` variable at least keeps the value out of the repository",
        sam="",
        cloudformation="",
    )
    return f"{fix}{stores}; then change the exposed password (it is in the repository history)."
