"""IAM004: one execution role shared by several functions."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules._common import by_dialect
from fnaudit.rules.iam._policy import RoleUsers, function_roles
from fnaudit.rules.registry import Context, rule


@rule(
    "IAM004",
    "iam-shared-role",
    title="Execution role shared by several functions",
    category=Category.PERMISSIONS,
    severity=Severity.MEDIUM,
    cwe=(250,),
    owasp=("SAS-4",),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
        "https://www.serverless.com/plugins/serverless-iam-roles-per-function",
    ),
    needs=(Fact.PERMISSIONS,),
)
def iam_shared_role(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions that run with the same execution role as other functions of the app: the default
    single role of a serverless.yml (`provider.iam.role`), a role named in several functions'
    `role:` / `Role:`, or the same external role ARN. One finding per role, at the role, naming
    every function that uses it.

    Not reported when the code of every function sharing the role was analysed, every AWS SDK
    call was resolved with high confidence, and they all need the same actions: one role then fits
    them all.

    ## When it speaks

    - **Speaks when**: two or more functions of the app use the same execution role (the app's own or an
      external one), unless the code of every one of them was analysed with high confidence and they all call
      exactly the same actions. Medium.
    - **Evidence**: the message names the role and every function that shares it; the finding sits on the role;
      the evidence is `role <id> used by <functions>`.
    - **Stays quiet**: a role used by one function; functions whose analysed code needs the same set of actions
      (sharing then grants none of them more than it needs).

    ## Why it matters

    A shared role is the union of what every function needs, so each function holds the
    permissions of all the others: the public image-resizer can read the payments table because
    the billing job needs to. Compromise of the least protected function gives the whole union
    (SAS-4), and it also hides which function uses which permission.

    ## How to fix

    Give each function its own role with only what its code calls. In serverless.yml use
    per-function statements (`iam.role.statements` on the function with the
    `serverless-iam-roles-per-function` plugin) or a dedicated `role:` per function. In SAM, let
    each `AWS::Serverless::Function` generate its own role from `Policies:`. In CloudFormation,
    declare one `AWS::IAM::Role` per function.

    ## Example

    Bad (CloudFormation):

    ```yaml
    Resize:
      Type: AWS::Lambda::Function
      Properties: {Role: !GetAtt SharedRole.Arn, ...}
    Billing:
      Type: AWS::Lambda::Function
      Properties: {Role: !GetAtt SharedRole.Arn, ...}
    ```

    Good: `ResizeRole` and `BillingRole`, each with its own policy.

    ## References

    - CWE-250: Execution with Unnecessary Privileges
    """
    for users, role in function_roles(app):
        if len(users.functions) < 2:
            continue
        if _same_needs(users):
            continue  # the code of every function was analysed and they call the same actions
        names = ", ".join(f.name for f in users.functions)
        kind = "external role" if role.external else "role"
        yield Hit(
            role.loc,
            f"{kind} {role.id} is shared by {len(users.functions)} functions ({names}): each holds the "
            "permissions all of them need",
            functions=users.function_ids,
            evidence=f"role {role.id} used by {names}",
            remediation=by_dialect(
                app,
                serverless=(
                    "Give each function its own statements (`iam.role.statements` on the function, with the "
                    "serverless-iam-roles-per-function plugin) or its own `role:`."
                ),
                sam="Let each function generate its own role from its `Policies:` instead of sharing `Role:`.",
                cloudformation="Declare a dedicated `AWS::IAM::Role` per function with only the actions it calls.",
            ),
            key=role.id,
        )


def _same_needs(users: RoleUsers) -> bool:
    perms = [f.permissions for f in users.functions]
    if any(p is None or p.needed is None or not p.needed or p.needed_confidence != "high" for p in perms):
        return False
    return len({p.needed for p in perms if p is not None}) == 1
