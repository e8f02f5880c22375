"""SECRET004: a template parameter whose default value is a secret."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.model.secrets import SecretPlace
from fnaudit.rules._common import by_dialect
from fnaudit.rules.registry import Context, rule
from fnaudit.rules.secrets._files import candidates, hit


@rule(
    "SECRET004",
    "secret-in-parameter-default",
    title="Secret as a template parameter default",
    category=Category.SECRETS,
    severity=Severity.HIGH,
    cwe=(798, 312),
    owasp=("SAS-7",),
    references=(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/security-best-practices.html#creds",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html",
    ),
    needs=(Fact.SECRETS,),
)
def secret_in_parameter_default(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    `Parameters` of a CloudFormation or SAM template whose `Default` is a secret: a value in a
    known credential format, or a non-placeholder value of a parameter named as a secret
    (`DbPassword`, `ApiKey`, `GithubToken`). Without `NoEcho: true` the value is also shown in
    the console and in `describe-stacks`; with `NoEcho` it is still written in the template, so it
    is reported at medium severity. Parameters of type `AWS::SSM::Parameter::Value<…>` (their
    default is a parameter name) are not reported. A parameter that a resource's password property
    takes whole (`MasterUserPassword: !Ref DbPassword`, `LoginProfile.Password: !Sub "${UserPass}"`)
    is reported even when its default looks like a placeholder: deployed without an override,
    `changeme` is the database's password.

    ## When it speaks

    - **Speaks when**: a CloudFormation/SAM template parameter has a default value the secrets engine judges a
      secret, by format or by the parameter's name. The value must look like a secret by itself: a known
      credential format (AWS keys, private keys, provider tokens, JWTs…), or a literal under a name that says
      secret (`password`, `api_key`, `token`…) that is not a placeholder, a reference (`${ssm:…}`,
      `{{resolve:…}}`, an ARN), an identifier, a path or an expression. Severity and confidence are the engine's
      verdict.
    - **Evidence**: the message names the parameter, what the default is and whether `NoEcho` is missing, with a
      redacted preview; the finding sits on the default's line.
    - **Stays quiet**: parameters without a default; defaults that are placeholders (`changeme` is a placeholder
      here: the deployment passes the real value); `AWS::SSM::Parameter::Value<String>` parameters.

    ## Why it matters

    The default is in the repository and in every copy of the template; without `NoEcho`
    CloudFormation displays the parameter value to anyone who can describe the stack.

    ## How to fix

    Remove the default. Better: do not pass secrets as parameters at all — use a dynamic
    reference (`'{{resolve:secretsmanager:prod/db:SecretString:password}}'`) where the value is
    needed, or an `AWS::SSM::Parameter::Value<String>` parameter naming the parameter that holds
    it; if a parameter stays, set `NoEcho: true`. Rotate the exposed value.

    ## Example

    Bad:

    ```yaml
    Parameters:
      DbPassword:
        Type: String
        Default: Pr0d-Db#2026
    ```

    Good:

    ```yaml
    Parameters:
      DbPassword:
        Type: String
        NoEcho: true
    ```

    ## References

    - CWE-798: Use of Hard-coded Credentials
    - CWE-312: Cleartext Storage of Sensitive Information
    """
    for c in candidates(app, SecretPlace.PARAMETER):
        echo = "" if "no-echo" in c.flags else " and no NoEcho"
        remediation = by_dialect(
            app,
            serverless="Remove the default and resolve the value from SSM / Secrets Manager with `${ssm:…}`.",
            sam=(
                f"Remove the default of {c.key} and use `'{{{{resolve:secretsmanager:<secret-name>:SecretString:<json-key>}}}}'` "
                "where the value is needed (or a `AWS::SSM::Parameter::Value<String>` parameter); keep `NoEcho: true` on any "
                "parameter that carries a secret; rotate the exposed value."
            ),
            cloudformation=(
                f"Remove the default of {c.key} and use `'{{{{resolve:secretsmanager:<secret-name>:SecretString:<json-key>}}}}'` "
                "where the value is needed (or a `AWS::SSM::Parameter::Value<String>` parameter); keep `NoEcho: true` on any "
                "parameter that carries a secret; rotate the exposed value."
            ),
        )
        yield hit(app, c, f"parameter {c.key} has {c.what} as its default{echo} ({c.preview})", remediation)
