"""IAM006: permissions that let a function escalate its privileges."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, Function
from fnaudit.model.facts import Fact
from fnaudit.model.permissions import Escalation, Grant
from fnaudit.rules.iam._policy import RoleUsers, boundary_note, lowered
from fnaudit.rules.iam.merge import policy_cause, statement_cause, statements_cause
from fnaudit.rules.registry import Context, rule


@rule(
    "IAM006",
    "iam-privilege-escalation",
    title="Function role can escalate its privileges",
    category=Category.PERMISSIONS,
    severity=Severity.HIGH,
    cwe=(269, 250),
    owasp=("SAS-4",),
    references=(
        "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/",
        "https://github.com/BishopFox/iam-vulnerable",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html",
    ),
    needs=(Fact.PERMISSIONS,),
)
def iam_privilege_escalation(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Combinations of effective permissions (after Deny statements and the permissions boundary)
    that let a function gain permissions it was not given, from the published escalation methods
    (35 in `fnaudit.engines.iam.escalation`), for example:

    - `iam:PassRole` + `lambda:CreateFunction` + `lambda:InvokeFunction` (or
      `lambda:CreateEventSourceMapping`, or `lambda:AddPermission`): a new function with a more
      privileged role;
    - `lambda:UpdateFunctionCode` / `UpdateFunctionConfiguration` on another function: its role;
    - `iam:PutRolePolicy`, `iam:AttachRolePolicy`, `iam:CreatePolicyVersion`,
      `iam:SetDefaultPolicyVersion`: any permission, written onto its own role;
    - `iam:CreateAccessKey`, `iam:CreateLoginProfile`, `iam:UpdateLoginProfile`: another user;
    - `iam:UpdateAssumeRolePolicy` + `sts:AssumeRole`, and `sts:AssumeRole` on `*`;
    - `iam:PassRole` with `cloudformation:CreateStack`, `ec2:RunInstances`,
      `glue:CreateDevEndpoint`, `codebuild:CreateProject` + `StartBuild`, `ecs:RunTask`,
      `sagemaker:CreateNotebookInstance`, `states:CreateStateMachine`, `datapipeline:*Pipeline*`;
    - `ssm:SendCommand`, `ssm:StartSession`, `ec2-instance-connect:SendSSHPublicKey`.

    The finding names the method, the statements that enable each required action, and the roles
    or functions it reaches. Critical when the method yields arbitrary permissions, high otherwise;
    one step lower when a required action is granted only behind a `Condition`.

    An escalation that one statement grants alone is named in that statement's finding (this rule owns
    it unless IAM001 applies); the escalations that need several statements together are a finding of
    their own, one per set of statements, naming each method. JSON `problems` lists each method.

    ## When it speaks

    - **Speaks when**: the IAM engine finds a privilege-escalation method the role's surviving grants allow:
      creating or attaching policies to itself (`iam:PutRolePolicy`, `iam:AttachRolePolicy`,
      `iam:CreatePolicyVersion`…), passing a role to a new function, stack or instance (`iam:PassRole` with
      `lambda:CreateFunction`, `cloudformation:CreateStack`, `ec2:RunInstances`…), replacing another function's
      code or configuration (`lambda:UpdateFunctionCode`), changing a trust policy, and the other documented
      methods. Critical when the method leads to administrator access, high otherwise, one level lower when a
      granting statement has a Condition. A method granted by one statement is folded into that statement's
      finding; one that needs several statements is its own finding.
    - **Evidence**: the message names the function(s), the method, why it escalates, each action with the
      statement that grants it, and what it reaches (any role, any function, named ones); the evidence is
      `<action> on <resource> + …`; methods granted by one AWS managed policy are one finding for the policy,
      listing them.
    - **Stays quiet**: a method missing one of its actions after Deny statements or the boundary; functions
      whose role the IAM engine could not read.

    ## Why it matters

    Escalation makes a narrow-looking role as dangerous as an administrator role: one injection in
    the function and the attacker writes themselves an admin policy, or runs code under a stronger
    role. Every later control (least privilege on the other functions, boundaries) is bypassed.

    ## How to fix

    Remove the permission-changing actions from execution roles; they belong to the deployment
    pipeline. When a function must pass a role, name the role ARN and add
    `Condition: {StringEquals: {iam:PassedToService: <service>.amazonaws.com}}`. Scope
    `lambda:UpdateFunctionCode` / `InvokeFunction` to the function ARNs it manages.

    ## Example

    Bad (serverless.yml):

    ```yaml
    - Effect: Allow
      Action: [iam:PassRole, lambda:CreateFunction, lambda:InvokeFunction]
      Resource: "*"
    ```

    Good:

    ```yaml
    - Effect: Allow
      Action: lambda:InvokeFunction
      Resource: !GetAtt ThumbnailLambdaFunction.Arn
    ```

    ## References

    - CWE-269: Improper Privilege Management
    - CWE-250: Execution with Unnecessary Privileges
    """
    groups: dict[
        tuple[str, str, tuple[str, ...], tuple[tuple[str, str, int], ...]], list[tuple[Function, Escalation]]
    ] = {}
    managed: dict[tuple[str, str], list[tuple[Function, Escalation]]] = {}
    for fn in app.functions:
        if fn.permissions is None or fn.role is None:
            continue
        for esc in fn.permissions.escalations:
            policy = _single_managed_policy(esc)
            if policy is not None:  # all from one AWS managed policy: one finding for the policy
                managed.setdefault((fn.role.id, policy), []).append((fn, esc))
                continue
            locs = tuple((a, g.loc.path, g.loc.line) for a, g in esc.evidence)
            targets = tuple(t for t in esc.targets if t != fn.name)
            groups.setdefault((fn.role.id, esc.method, targets, locs), []).append((fn, esc))
    for (role_id, _method, targets, _locs), members in groups.items():
        fns = sorted({f.name: f for f, _ in members}.values(), key=lambda f: f.name)
        esc = members[0][1]
        steps = "; ".join(f"`{a}` from {g.describe()}" for a, g in esc.evidence)
        reach = ""
        if targets:
            passes = "iam:PassRole" in dict(esc.evidence)
            shown = ["any role" if t == "*" and passes else "any function" if t == "*" else t for t in targets]
            reach = f" It reaches: {', '.join(shown)}."
        base = Severity.CRITICAL if esc.to_admin else Severity.HIGH
        # granted by one statement alone: a problem of that statement, folded into its one finding
        # (fnaudit.rules.iam.merge); by several together: one finding per set of statements, naming each method
        statements = sorted({_statement(role_id, g) for _, g in esc.evidence})
        cause = statements[0] if len(statements) == 1 else statements_cause(statements)
        yield Hit(
            esc.evidence[0][1].loc,
            f"{_subject(fns, role_id)} can escalate privileges ({esc.name}): {esc.explanation} Granted by: {steps}.{reach}"
            f"{boundary_note(RoleUsers(tuple(fns)))}",
            function=fns[0].id if len(fns) == 1 else None,
            functions=tuple(f.id for f in fns),
            evidence=" + ".join(f"{a} on {g.resource_text}" for a, g in esc.evidence),
            remediation=_remediation(esc),
            severity=lowered(base) if esc.conditional else base,
            key=cause,
            cause=cause,
        )
    for (role_id, policy), members in managed.items():
        fns = sorted({f.name: f for f, _ in members}.values(), key=lambda f: f.name)
        methods: dict[str, Escalation] = {}
        for _, esc in members:
            methods.setdefault(esc.method, esc)
        admin = any(e.to_admin and not e.conditional for e in methods.values())
        first = next(iter(methods.values()))
        names = ", ".join(e.name.lower() for e in methods.values())
        yield Hit(
            first.evidence[0][1].loc,
            f"{_subject(fns, role_id)} can escalate privileges through the AWS managed policy {policy}: "
            f"{len(methods)} method(s): {names}.{boundary_note(RoleUsers(tuple(fns)))}",
            function=fns[0].id if len(fns) == 1 else None,
            functions=tuple(f.id for f in fns),
            evidence=f"AWS managed policy {policy}: " + ", ".join(sorted(methods)),
            remediation=f"Detach {policy} from the execution role and grant the actions the function calls on its "
            "own resources.",
            severity=Severity.CRITICAL if admin else Severity.HIGH,
            key=policy_cause(role_id, policy),  # the policy: one finding with its other problems
            cause=policy_cause(role_id, policy),
        )


def _statement(role_id: str, g: Grant) -> str:
    """The statement (or AWS managed policy) a grant comes from, as the other IAM rules name it."""
    prefix = "AWS managed policy "
    if g.source.startswith(prefix):
        return policy_cause(role_id, g.source[len(prefix) :].split(".", 1)[0])
    return statement_cause(role_id, g.sid, g.source)


def _subject(fns: list[Function], role_id: str) -> str:
    names = [f.name for f in fns]
    if len(names) == 1:
        return f"function {names[0]}"
    return f"{len(names)} functions sharing role {role_id} ({', '.join(names)})"


def _single_managed_policy(esc: Escalation) -> str | None:
    prefix = "AWS managed policy "
    names = {g.source[len(prefix) :].split(".", 1)[0] if g.source.startswith(prefix) else None for _, g in esc.evidence}
    return next(iter(names)) if len(names) == 1 and None not in names else None


def _remediation(esc: Escalation) -> str:
    actions = [a for a, _ in esc.evidence]
    if "iam:PassRole" in actions:
        return (
            "Remove the combination from the execution role; if the function must pass a role, name its ARN and add "
            "`Condition: {StringEquals: {iam:PassedToService: <service>.amazonaws.com}}`. "
            f"Reference: {esc.reference}"
        )
    return (
        f"Remove {', '.join(f'`{a}`' for a in actions)} from the execution role or scope it to the resources the "
        f"function manages (never its own role or other functions). Reference: {esc.reference}"
    )
