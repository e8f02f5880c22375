"""IAM009: execution roles that principals other than the Lambda service can assume."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, Effect, Statement
from fnaudit.model.facts import Fact
from fnaudit.rules._common import by_dialect
from fnaudit.rules.iam._policy import condition_note, function_roles, with_condition
from fnaudit.rules.registry import Context, rule

_LAMBDA = frozenset({"service:lambda.amazonaws.com", "service:edgelambda.amazonaws.com"})
_ASSUME = ("sts:assumerole", "sts:assumerolewithwebidentity", "sts:assumerolewithsaml", "sts:*", "*", "sts:assume*")


@rule(
    "IAM009",
    "iam-trust-policy-too-broad",
    title="Execution role can be assumed by principals other than Lambda",
    category=Category.PERMISSIONS,
    severity=Severity.HIGH,
    cwe=(284, 250),
    owasp=("SAS-4",),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_terms-and-concepts.html#term_trust-policy",
    ),
    needs=(Fact.PERMISSIONS,),
)
def iam_trust_policy_too_broad(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Trust policies (`AssumeRolePolicyDocument`) of functions' execution roles that let someone
    other than the Lambda service (`lambda.amazonaws.com`, or `edgelambda.amazonaws.com` for
    Lambda@Edge) assume the role: any principal (`"*"`, `AWS: "*"`, critical), an account or its
    root, IAM users and roles, federated identities (high), or other AWS services such as
    `ec2.amazonaws.com` (medium). A `Condition` (e.g. `sts:ExternalId`, `aws:PrincipalOrgID`)
    lowers the severity one step.

    ## When it speaks

    - **Speaks when**: an Allow statement of the trust policy of an execution role the app defines lets a
      principal other than `lambda.amazonaws.com` / `edgelambda.amazonaws.com` assume the role
      (`sts:AssumeRole`, `AssumeRoleWithWebIdentity`, `AssumeRoleWithSAML`, `sts:*`, `*`, or `NotAction`).
      Critical for any principal (`*`), high for an account, user, role or federated identity, medium for
      another AWS service; one step lower behind a Condition.
    - **Evidence**: the message names the function(s), the role and each other principal; the finding sits on
      the trust statement; the evidence is `Principal <principals>`.
    - **Stays quiet**: roles defined outside the app (their trust policy is not in the template); trust
      statements for the Lambda service alone; Deny statements.

    ## Why it matters

    Anyone who can assume the execution role gets the function's permissions without touching
    the function: a developer's laptop, a CI system, another account, or an EC2 instance. The
    function's least privilege then protects nothing, and the role's activity can no longer be
    told apart from the function's.

    ## How to fix

    Trust only the Lambda service in an execution role; give people and other systems their own
    roles.

    ## Example

    Bad (CloudFormation):

    ```yaml
    AssumeRolePolicyDocument:
      Statement:
        - Effect: Allow
          Principal: {AWS: arn:aws:iam::123456789012:root}
          Action: sts:AssumeRole
    ```

    Good:

    ```yaml
    AssumeRolePolicyDocument:
      Statement:
        - Effect: Allow
          Principal: {Service: lambda.amazonaws.com}
          Action: sts:AssumeRole
    ```

    ## References

    - CWE-284: Improper Access Control
    - CWE-250: Execution with Unnecessary Privileges
    """
    for users, role in function_roles(app):
        if role.external:
            continue
        for st in role.trust:
            if st.effect is not Effect.ALLOW or not _assumes(st):
                continue
            others = [p for p in st.principals if p.lower() not in _LAMBDA]
            if not others:
                continue
            base = max((_severity(p) for p in others), key=lambda s: s.rank)
            yield Hit(
                st.loc,
                f"{users.subject}: the trust policy of role {role.id} lets {', '.join(_describe(p) for p in others)} "
                f"assume it, and act with the functions' permissions{condition_note(st)}",
                function=users.function_id,
                functions=users.function_ids,
                evidence=f"Principal {', '.join(others)}",
                remediation=by_dialect(
                    app,
                    serverless="Trust only `Service: lambda.amazonaws.com` in the role's `AssumeRolePolicyDocument`.",
                    sam="Trust only `Service: lambda.amazonaws.com` in the role's `AssumeRolePolicyDocument`.",
                    cloudformation="Trust only `Service: lambda.amazonaws.com` in the role's `AssumeRolePolicyDocument`; "
                    "give people and other services their own roles.",
                ),
                severity=with_condition(base, st),
                key=f"trust:{role.id}|{','.join(sorted(others))}",
            )


def _assumes(st: Statement) -> bool:
    if st.not_actions:
        return True
    return any(a.strip().lower() in _ASSUME for a in st.actions)


def _severity(principal: str) -> Severity:
    p = principal.strip()
    if p in ("*", "AWS:*"):
        return Severity.CRITICAL
    if p.startswith("Service:"):
        return Severity.MEDIUM
    return Severity.HIGH


def _describe(principal: str) -> str:
    if principal.strip() in ("*", "AWS:*"):
        return "any AWS principal (`*`)"
    kind, _, who = principal.partition(":")
    label = {
        "AWS": "principal",
        "Service": "service",
        "Federated": "federated identity",
        "CanonicalUser": "canonical user",
    }
    return f"{label.get(kind, kind)} `{who or principal}`"
