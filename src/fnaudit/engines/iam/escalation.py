"""Privilege escalation: the known ways an identity turns its IAM permissions into more.

Each `Method` lists the actions it needs, all of which must be granted (effective permissions,
after Deny and boundary), each with a constraint on the resource it must be granted on:

- `ANY`: any resource;
- `ROLE`: a role the function can name (`*`, `role/*`, or one of the app's roles); the roles it
  matches become the method's targets, and the function inherits their permissions;
- `OTHER_FUNCTION`: a function other than itself (a wildcard, or another function of the app);
- `EVERY`: every resource of the service (`sts:AssumeRole` on `*`).

The methods come from the public research on AWS IAM privilege escalation (Rhino Security Labs'
"AWS IAM Privilege Escalation – Methods and Mitigation", Bishop Fox's iam-vulnerable, and
pathfinding.cloud); names and wording here are our own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from fnaudit.engines.iam import arns
from fnaudit.model.app import App
from fnaudit.model.permissions import EffectivePermissions, Escalation, Grant

ANY, ROLE, OTHER_FUNCTION, EVERY = "any", "role", "other-function", "every"
_RHINO = "https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/"
_IAMV = "https://github.com/BishopFox/iam-vulnerable"


@dataclass(frozen=True, slots=True)
class Method:
    id: str
    name: str
    requires: tuple[tuple[str, str], ...]  # (action, resource constraint)
    explanation: str
    reference: str = _RHINO
    to_admin: bool = False  # yields any permission whatever the resource (a policy it writes for itself)

    @property
    def passed_to(self) -> str | None:
        """The service principal a PassRole method passes the role to (checked against `iam:PassedToService`)."""
        return _PASSED_TO.get(self.id.split("-")[1]) if self.id.startswith("passrole-") else None


_PASSED_TO = {
    "lambda": "lambda.amazonaws.com",
    "cloudformation": "cloudformation.amazonaws.com",
    "ec2": "ec2.amazonaws.com",
    "glue": "glue.amazonaws.com",
    "codebuild": "codebuild.amazonaws.com",
    "datapipeline": "datapipeline.amazonaws.com",
    "sagemaker": "sagemaker.amazonaws.com",
    "ecs": "ecs-tasks.amazonaws.com",
    "states": "states.amazonaws.com",
}


METHODS: tuple[Method, ...] = (
    # --- changing its own (or another principal's) policies -------------------------------------
    Method(
        "iam-create-policy-version",
        "Create a new version of a managed policy",
        (("iam:CreatePolicyVersion", ANY),),
        "iam:CreatePolicyVersion can publish a new default version of a customer managed policy attached to the "
        "role (with --set-as-default), e.g. one that allows `*` on `*`.",
        to_admin=True,
    ),
    Method(
        "iam-set-default-policy-version",
        "Switch a managed policy to a more permissive version",
        (("iam:SetDefaultPolicyVersion", ANY),),
        "iam:SetDefaultPolicyVersion can make an older, broader version of an attached policy the active one.",
        to_admin=True,
    ),
    Method(
        "iam-attach-role-policy",
        "Attach a managed policy to a role",
        (("iam:AttachRolePolicy", ROLE),),
        "iam:AttachRolePolicy can attach AdministratorAccess to the function's own role (or to a role it can use).",
        to_admin=True,
    ),
    Method(
        "iam-put-role-policy",
        "Write an inline policy on a role",
        (("iam:PutRolePolicy", ROLE),),
        "iam:PutRolePolicy can add an inline policy allowing `*` on `*` to the function's own role.",
        to_admin=True,
    ),
    Method(
        "iam-delete-role-boundary",
        "Remove a role's permissions boundary",
        (("iam:DeleteRolePermissionsBoundary", ROLE),),
        "iam:DeleteRolePermissionsBoundary lifts the boundary that limits the role, restoring every permission its "
        "policies grant.",
        reference=_IAMV,
    ),
    Method(
        "iam-put-role-boundary",
        "Replace a role's permissions boundary",
        (("iam:PutRolePermissionsBoundary", ROLE),),
        "iam:PutRolePermissionsBoundary can replace the role's boundary with a permissive one.",
        reference=_IAMV,
    ),
    Method(
        "iam-update-assume-role-policy",
        "Rewrite a role's trust policy and assume it",
        (("iam:UpdateAssumeRolePolicy", ROLE), ("sts:AssumeRole", ROLE)),
        "iam:UpdateAssumeRolePolicy lets the function trust itself on any role, and sts:AssumeRole then takes "
        "that role's permissions.",
        to_admin=True,
    ),
    Method(
        "iam-attach-user-policy",
        "Attach a policy to a user and mint its keys",
        (("iam:AttachUserPolicy", ANY), ("iam:CreateAccessKey", ANY)),
        "iam:AttachUserPolicy attaches AdministratorAccess to a user, and iam:CreateAccessKey creates long-lived "
        "keys for that user.",
        to_admin=True,
    ),
    Method(
        "iam-put-user-policy",
        "Write a user's inline policy and mint its keys",
        (("iam:PutUserPolicy", ANY), ("iam:CreateAccessKey", ANY)),
        "iam:PutUserPolicy writes an admin inline policy on a user, and iam:CreateAccessKey gives its keys.",
        to_admin=True,
    ),
    Method(
        "iam-attach-group-policy",
        "Attach a policy to a group a user is in",
        (("iam:AttachGroupPolicy", ANY), ("iam:AddUserToGroup", ANY), ("iam:CreateAccessKey", ANY)),
        "iam:AttachGroupPolicy and iam:AddUserToGroup give a user admin rights through a group; "
        "iam:CreateAccessKey gives the user's keys.",
        to_admin=True,
    ),
    Method(
        "iam-put-group-policy",
        "Write a group's inline policy",
        (("iam:PutGroupPolicy", ANY), ("iam:AddUserToGroup", ANY), ("iam:CreateAccessKey", ANY)),
        "iam:PutGroupPolicy writes an admin policy on a group, iam:AddUserToGroup joins a user to it and "
        "iam:CreateAccessKey gives the user's keys.",
        to_admin=True,
    ),
    Method(
        "iam-add-user-to-group",
        "Join a user to a privileged group",
        (("iam:AddUserToGroup", ANY), ("iam:CreateAccessKey", ANY)),
        "iam:AddUserToGroup adds a user to an administrators group; iam:CreateAccessKey gives the user's keys.",
    ),
    Method(
        "iam-create-access-key",
        "Create access keys for another user",
        (("iam:CreateAccessKey", ANY),),
        "iam:CreateAccessKey creates long-lived access keys for any user it names, and acts as that user.",
    ),
    Method(
        "iam-create-login-profile",
        "Create a console password for a user",
        (("iam:CreateLoginProfile", ANY),),
        "iam:CreateLoginProfile sets a console password on a user that has none, and signs in as that user.",
    ),
    Method(
        "iam-update-login-profile",
        "Change a user's console password",
        (("iam:UpdateLoginProfile", ANY),),
        "iam:UpdateLoginProfile changes another user's console password.",
    ),
    Method(
        "sts-assume-any-role",
        "Assume any role",
        (("sts:AssumeRole", EVERY),),
        "sts:AssumeRole on `*` takes any role in the account (or in other accounts) whose trust policy allows the "
        "account; roles that trust the account root are common.",
        to_admin=True,
    ),
    # --- passing a role to a new compute resource ------------------------------------------------
    Method(
        "passrole-lambda-create-invoke",
        "Pass a role to a new Lambda function and invoke it",
        (("iam:PassRole", ROLE), ("lambda:CreateFunction", ANY), ("lambda:InvokeFunction", ANY)),
        "iam:PassRole with lambda:CreateFunction creates a function that runs with a more privileged role; "
        "lambda:InvokeFunction runs it.",
    ),
    Method(
        "passrole-lambda-create-event-source",
        "Pass a role to a new Lambda function triggered by an event source",
        (("iam:PassRole", ROLE), ("lambda:CreateFunction", ANY), ("lambda:CreateEventSourceMapping", ANY)),
        "iam:PassRole with lambda:CreateFunction creates a function with a more privileged role; "
        "lambda:CreateEventSourceMapping makes a stream or queue invoke it, no invoke permission needed.",
    ),
    Method(
        "passrole-lambda-create-permission",
        "Pass a role to a new Lambda function and open it to invocation",
        (("iam:PassRole", ROLE), ("lambda:CreateFunction", ANY), ("lambda:AddPermission", ANY)),
        "iam:PassRole with lambda:CreateFunction creates a privileged function; lambda:AddPermission lets any "
        "principal (or a service) invoke it.",
        reference=_IAMV,
    ),
    Method(
        "lambda-update-function-code",
        "Replace another function's code",
        (("lambda:UpdateFunctionCode", OTHER_FUNCTION),),
        "lambda:UpdateFunctionCode on another function runs attacker code with that function's role.",
    ),
    Method(
        "lambda-update-function-configuration",
        "Change another function's configuration (layers, environment)",
        (("lambda:UpdateFunctionConfiguration", OTHER_FUNCTION),),
        "lambda:UpdateFunctionConfiguration can add a malicious layer or wrapper (AWS_LAMBDA_EXEC_WRAPPER) to "
        "another function, which then runs attacker code with its role.",
        reference=_IAMV,
    ),
    Method(
        "passrole-cloudformation-create-stack",
        "Pass a role to a new CloudFormation stack",
        (("iam:PassRole", ROLE), ("cloudformation:CreateStack", ANY)),
        "iam:PassRole with cloudformation:CreateStack deploys a stack with a privileged service role, which "
        "creates whatever the template says (an admin user, say).",
    ),
    Method(
        "cloudformation-update-stack",
        "Update a stack that has a privileged service role",
        (("cloudformation:UpdateStack", ANY),),
        "cloudformation:UpdateStack changes an existing stack's template; the stack's service role then creates "
        "what the new template says.",
        reference=_IAMV,
    ),
    Method(
        "passrole-ec2-run-instances",
        "Pass a role to a new EC2 instance",
        (("iam:PassRole", ROLE), ("ec2:RunInstances", ANY)),
        "iam:PassRole with ec2:RunInstances starts an instance with a privileged instance profile and user data "
        "that ships its credentials out.",
    ),
    Method(
        "passrole-glue-dev-endpoint",
        "Pass a role to a new Glue development endpoint",
        (("iam:PassRole", ROLE), ("glue:CreateDevEndpoint", ANY)),
        "iam:PassRole with glue:CreateDevEndpoint creates an SSH-reachable endpoint running with a privileged role.",
    ),
    Method(
        "glue-update-dev-endpoint",
        "Take over an existing Glue development endpoint",
        (("glue:UpdateDevEndpoint", ANY),),
        "glue:UpdateDevEndpoint adds an SSH key to an existing endpoint and uses its role.",
    ),
    Method(
        "passrole-glue-job",
        "Pass a role to a new Glue job",
        (("iam:PassRole", ROLE), ("glue:CreateJob", ANY), ("glue:StartJobRun", ANY)),
        "iam:PassRole with glue:CreateJob and glue:StartJobRun runs attacker code with a privileged role.",
        reference=_IAMV,
    ),
    Method(
        "passrole-codebuild-project",
        "Pass a role to a new CodeBuild project",
        (("iam:PassRole", ROLE), ("codebuild:CreateProject", ANY), ("codebuild:StartBuild", ANY)),
        "iam:PassRole with codebuild:CreateProject and codebuild:StartBuild runs a buildspec with a privileged "
        "service role.",
        reference=_IAMV,
    ),
    Method(
        "codebuild-update-project",
        "Change an existing CodeBuild project and run it",
        (("codebuild:UpdateProject", ANY), ("codebuild:StartBuild", ANY)),
        "codebuild:UpdateProject rewrites a project's buildspec; codebuild:StartBuild runs it with the project's role.",
        reference=_IAMV,
    ),
    Method(
        "passrole-datapipeline",
        "Pass a role to a new Data Pipeline",
        (("iam:PassRole", ROLE), ("datapipeline:CreatePipeline", ANY), ("datapipeline:PutPipelineDefinition", ANY)),
        "iam:PassRole with datapipeline:CreatePipeline and PutPipelineDefinition runs shell commands with a "
        "privileged role.",
    ),
    Method(
        "passrole-sagemaker-notebook",
        "Pass a role to a new SageMaker notebook",
        (
            ("iam:PassRole", ROLE),
            ("sagemaker:CreateNotebookInstance", ANY),
            ("sagemaker:CreatePresignedNotebookInstanceUrl", ANY),
        ),
        "iam:PassRole with sagemaker:CreateNotebookInstance opens a Jupyter notebook running with a privileged role.",
        reference=_IAMV,
    ),
    Method(
        "sagemaker-presigned-notebook-url",
        "Open an existing SageMaker notebook",
        (("sagemaker:CreatePresignedNotebookInstanceUrl", ANY),),
        "sagemaker:CreatePresignedNotebookInstanceUrl opens an existing notebook and runs code with its role.",
        reference=_IAMV,
    ),
    Method(
        "passrole-ecs-task",
        "Pass a role to a new ECS task",
        (("iam:PassRole", ROLE), ("ecs:RegisterTaskDefinition", ANY), ("ecs:RunTask", ANY)),
        "iam:PassRole with ecs:RegisterTaskDefinition and ecs:RunTask runs a container with a privileged task role.",
        reference=_IAMV,
    ),
    Method(
        "passrole-states",
        "Pass a role to a new Step Functions state machine",
        (("iam:PassRole", ROLE), ("states:CreateStateMachine", ANY), ("states:StartExecution", ANY)),
        "iam:PassRole with states:CreateStateMachine and StartExecution makes AWS API calls with a privileged role.",
        reference="https://pathfinding.cloud",
    ),
    Method(
        "ssm-send-command",
        "Run commands on instances through Systems Manager",
        (("ssm:SendCommand", ANY),),
        "ssm:SendCommand runs shell commands on managed instances and reads their instance-profile credentials.",
        reference=_IAMV,
    ),
    Method(
        "ssm-start-session",
        "Open a shell on instances through Systems Manager",
        (("ssm:StartSession", ANY),),
        "ssm:StartSession opens a shell on a managed instance and uses its instance profile.",
        reference=_IAMV,
    ),
    Method(
        "ec2-instance-connect",
        "Push an SSH key to an instance",
        (("ec2-instance-connect:SendSSHPublicKey", ANY),),
        "ec2-instance-connect:SendSSHPublicKey logs in to an instance and uses its instance profile.",
        reference=_IAMV,
    ),
)


@dataclass(frozen=True, slots=True)
class AppIndex:
    """What escalation checks need to know about the app, computed once per app."""

    function_names: Mapping[str, tuple[str, ...]]  # function name → names a resource may use
    role_names: Mapping[str, tuple[str, ...]]  # role id → names a resource may use

    @staticmethod
    def of(app: App) -> AppIndex:
        roles: dict[str, tuple[str, ...]] = {}
        for rid, role in app.roles.items():
            names = {rid}
            if role.name:
                names.add(role.name)
            res = app.resources.get(rid)
            if res is not None:
                names.add(arns.name_of(res))
            roles[rid] = tuple(sorted(names))
        for fn in app.functions:
            if fn.role is not None and fn.role.id not in roles:
                roles[fn.role.id] = tuple(sorted({fn.role.id, *(n for n in (fn.role.name,) if n)}))
        return AppIndex(arns.app_function_names(app), roles)


def _targets(g: Grant, constraint: str, self_name: str, idx: AppIndex) -> tuple[str, ...] | None:
    """What a grant lets the method act on, or None when it does not satisfy the constraint."""
    r = g.resource
    if constraint == ANY:
        return ()
    if constraint == EVERY:
        return ("*",) if arns.is_everything(r) else None
    if constraint == ROLE:
        if arns.is_everything(r) and (r == "*" or ":iam:" in r):
            return ("*",)
        matched = tuple(rid for rid, names in idx.role_names.items() if arns.role_matches(r, names))
        if matched:
            return matched
        return (g.resource_text,) if ":role/" in r or r.startswith("!") else None
    if constraint == OTHER_FUNCTION:
        if arns.is_everything(r) and (r == "*" or ":lambda:" in r):
            return ("*",)
        others = tuple(
            name for name, names in idx.function_names.items() if name != self_name and arns.function_matches(r, names)
        )
        return others or None
    return None


def find(self_name: str, perms: EffectivePermissions, idx: AppIndex) -> tuple[Escalation, ...]:
    out: list[Escalation] = []
    for m in METHODS:
        evidence: list[tuple[str, Grant]] = []
        targets: list[str] = []
        conditional = False
        for action, constraint in m.requires:
            best: tuple[Grant, tuple[str, ...]] | None = None
            for g in perms.granting(action):
                if any(arns.covers(e, g.resource) for e in g.except_resources):
                    continue
                if action == "iam:PassRole" and not _passes_to(g, m.passed_to):
                    continue
                t = _targets(g, constraint, self_name, idx)
                if t is None:
                    continue
                if best is None or (best[0].conditional and not g.conditional) or ("*" in t and "*" not in best[1]):
                    best = (g, t)
            if best is None:
                break
            evidence.append((action, best[0]))
            conditional = conditional or (best[0].conditional and not _only_passed_to(best[0], action))
            targets.extend(x for x in best[1] if x not in targets)
        else:
            out.append(
                Escalation(
                    method=m.id,
                    name=m.name,
                    explanation=m.explanation,
                    reference=m.reference,
                    evidence=tuple(evidence),
                    targets=tuple(targets),
                    conditional=conditional,
                    to_admin=m.to_admin or ("*" in targets and any(c == ROLE for _, c in m.requires)),
                )
            )
    return tuple(out)


def _passed_to_values(g: Grant) -> tuple[str, ...] | None:
    values: list[str] = []
    found = False
    for operator, key, vals in g.conditions:
        if key.lower() == "iam:passedtoservice" and not operator.lower().startswith(
            ("stringnot", "forallvalues:stringnot")
        ):
            found = True
            values.extend(vals)
    return tuple(values) if found else None


def _passes_to(g: Grant, service: str | None) -> bool:
    """A PassRole grant restricted by `iam:PassedToService` only serves methods that pass to that service."""
    allowed = _passed_to_values(g)
    if allowed is None or service is None:
        return True
    from fnmatch import fnmatchcase

    return any(fnmatchcase(service, v.lower()) for v in allowed)


def _only_passed_to(g: Grant, action: str) -> bool:
    """The grant's only condition is `iam:PassedToService`, which the method satisfies: not a real restriction."""
    return (
        action == "iam:PassRole"
        and bool(g.conditions)
        and all(k.lower() == "iam:passedtoservice" for _, k, _ in g.conditions)
    )
