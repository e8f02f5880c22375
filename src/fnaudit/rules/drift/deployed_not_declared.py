"""DRIFT001: a deployed function that no IaC of the compared repository declares."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.drift import DiffKind
from fnaudit.rules.registry import Context, rule


@rule(
    "DRIFT001",
    "deployed-not-declared",
    title="Deployed function not declared in the IaC",
    category=Category.CONFIG,
    severity=Severity.MEDIUM,
    cwe=(912, 1068),
    owasp=("SAS-3",),
    references=(
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-cfn-stack-drift.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-function-common.html",
    ),
)
def deployed_not_declared(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions of the account that no IaC of the repository compared with `fnaudit scan aws: --compare PATH`
    declares: created in the console or by a script, left over from an old stack, or deployed from another
    repository. Only an account scan with `--compare` reports it; an ordinary scan never does.

    A deployed function matches a declaration by its name: the IaC's literal `FunctionName` / `function_name`
    or serverless `name:`, the Framework's `<service>-<stage>-<function>` convention, the logical id itself, or
    CloudFormation's generated `<stack>-<LogicalId>-<SUFFIX>`; a name two declarations could claim matches
    neither.

    ## When it speaks

    - **Speaks when**: a function of the scanned account matches no function declared by any IaC of the
      compared repository (by deployed name, logical name or CloudFormation's generated name). Medium.
    - **Evidence**: the message names the deployed function and the repository compared; the finding sits on
      the deployed function (its ARN in an account scan); the evidence is `deployed: <name>; declared: none`.
    - **Stays quiet**: every scan without `--compare`; a deployed function whose name one declaration
      claims; functions the account scan did not read (`--function` filters).

    ## Why it matters

    A function nobody declared is reviewed by nobody: its code, role and triggers escape every change
    review and every scan of the repository, and it often runs an old runtime with a broad role. Insecure
    deployment configuration (OWASP Serverless SAS-3) starts with not knowing what is deployed.

    ## How to fix

    Either bring the function into the IaC (declare it with the name it has, and deploy it from there), or
    delete it if nothing uses it. If it belongs to another repository, compare the account with that one too,
    or suppress the finding with a reason naming the owner.

    ## Example

    Bad: the account holds `shop-dev-export`, created in the console; the repository's serverless.yml
    declares only `orders` and `payments`.

    Good: `export` is declared in serverless.yml (deployed as `shop-dev-export`), or the function is deleted.

    ## References

    - CWE-912: Hidden Functionality
    - CWE-1068: Inconsistency Between Implementation and Documented Design
    """
    for d in app.drift:
        if d.kind is not DiffKind.DEPLOYED_ONLY:
            continue
        where = f" in {d.declared_root}" if d.declared_root else ""
        yield Hit(
            d.deployed_loc,
            f"function {d.function} is deployed but no IaC{where} declares it",
            function=d.deployed_function_id,
            evidence=f"deployed: {d.function}; declared: none{where}",
            remediation="Declare the function in the IaC and deploy it from there, or delete it if nothing uses it.",
            key="deployed-only",
        )
