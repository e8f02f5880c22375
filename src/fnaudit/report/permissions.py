"""`fnaudit permissions FUNCTION`: a function's least-privilege statements, ready to paste, or its
effective permissions and blast radius as a table.

Formats: `serverless` (statements for `iamRoleStatements` / `provider.iam.role.statements`),
`sam` (an entry of the function's `Policies:`), `cloudformation` (an entry of the role's
`Policies:`), `terraform` (an `aws_iam_policy_document` data source), `json` (an IAM policy document),
`table` (effective permissions and blast radius).
References to the app's resources are written as intrinsics in the IaC formats (`!GetAtt
Orders.Arn`, `!Sub "${Bucket.Arn}/*"`) and as ARNs with `*` for the region and account in JSON.
"""

from __future__ import annotations

import json
import re
from typing import TextIO

from fnaudit.model.app import App, Function
from fnaudit.model.permissions import LeastPrivilege, LeastStatement

FORMATS = ("serverless", "sam", "cloudformation", "terraform", "json", "table")
_GETATT_TYPES = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::DynamoDB::GlobalTable",
        "AWS::SQS::Queue",
        "AWS::Lambda::Function",
        "AWS::Kinesis::Stream",
        "AWS::IAM::Role",
        "AWS::KMS::Key",
        "AWS::Logs::LogGroup",
        "AWS::Events::EventBus",
        "AWS::ECR::Repository",
    }
)
_REF_TYPES = frozenset({"AWS::SNS::Topic", "AWS::SecretsManager::Secret", "AWS::StepFunctions::StateMachine"})


def _q(text: str) -> str:
    return json.dumps(text)


def iac_resource(arn: str, ref: str | None, app: App) -> str:
    res = app.resources.get(ref) if ref else None
    if res is not None:
        if res.type == "AWS::S3::Bucket":
            return f'!Sub "${{{ref}.Arn}}/*"' if arn.endswith("/*") else f"!GetAtt {ref}.Arn"
        if res.type in _GETATT_TYPES:
            return f"!GetAtt {ref}.Arn"
        if res.type in _REF_TYPES:
            return f"!Ref {ref}"
        if res.type == "AWS::SSM::Parameter":
            return f'!Sub "arn:${{AWS::Partition}}:ssm:${{AWS::Region}}:${{AWS::AccountId}}:parameter/${{{ref}}}"'
    if arn.startswith("arn:aws:") and ":*:*:" in arn:
        service = arn.split(":", 3)[2]
        rest = arn.split(":", 5)[5]
        return f'!Sub "arn:${{AWS::Partition}}:{service}:${{AWS::Region}}:${{AWS::AccountId}}:{rest}"'
    if arn.startswith("arn:aws:iam::*:"):
        return f'!Sub "arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:{arn.split(":", 5)[5]}"'
    return _q(arn)


def _yaml_statements(lp: LeastPrivilege, app: App, indent: str, with_logs: bool) -> list[str]:
    lines: list[str] = []
    stmts = list(lp.statements)
    if with_logs:
        stmts.insert(
            0,
            LeastStatement(
                ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"), ((lp.log_group, None),), False
            ),
        )
    for st in stmts:
        if st.unscoped:
            lines.append(f"{indent}# the code does not say which resource: replace * with its ARN")
        lines.append(f"{indent}- Effect: Allow")
        lines.append(f"{indent}  Action:")
        lines.extend(f"{indent}    - {a}" for a in st.actions)
        lines.append(f"{indent}  Resource:")
        lines.extend(f"{indent}    - {iac_resource(arn, ref, app)}" for arn, ref in st.resources)
    return lines


def _document(lp: LeastPrivilege) -> dict[str, object]:
    statements: list[dict[str, object]] = [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": [lp.log_group],
        }
    ]
    for st in lp.statements:
        statements.append({"Effect": "Allow", "Action": list(st.actions), "Resource": [arn for arn, _ in st.resources]})
    return {"Version": "2012-10-17", "Statement": statements}


def tf_resource(arn: str, ref: str | None, app: App) -> str:
    """A resource in HCL: an attribute reference to the app's own resource (a Terraform app's resources are
    keyed by address), else the ARN as a string."""
    res = app.resources.get(ref) if ref else None
    if res is not None and app.dialect.value == "terraform":
        if res.type == "AWS::S3::Bucket" and arn.endswith("/*"):
            return f'"${{{ref}.arn}}/*"'
        if (
            res.type in _GETATT_TYPES
            or res.type in _REF_TYPES
            or res.type in ("AWS::S3::Bucket", "AWS::SSM::Parameter")
        ):
            return f"{ref}.arn"
    return _q(arn)


def _terraform(lp: LeastPrivilege, fn: Function, app: App) -> list[str]:
    name = re.sub(r"[^A-Za-z0-9_]", "_", fn.name.rsplit(".", 1)[-1]).strip("_") or "function"
    logs = LeastStatement(
        ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"), ((lp.log_group, None),), False
    )
    lines = [f'data "aws_iam_policy_document" "{name}_least_privilege" {{']
    for st in [logs, *lp.statements]:
        if st.unscoped:
            lines.append("  # the code does not say which resource: replace * with its ARN")
        lines.append("  statement {")
        lines.append("    actions = [")
        lines.extend(f"      {_q(a)}," for a in st.actions)
        lines.append("    ]")
        lines.append("    resources = [")
        lines.extend(f"      {tf_resource(arn, ref, app)}," for arn, ref in st.resources)
        lines.append("    ]")
        lines.append("  }")
    lines.append("}")
    return lines


def render_least(lp: LeastPrivilege, fn: Function, app: App, fmt: str, out: TextIO) -> None:
    if fmt == "json":
        json.dump(_document(lp), out, indent=2)
        out.write("\n")
        return
    header = [
        f"# Least-privilege IAM statements for function {fn.name}, from {lp.calls} AWS SDK call(s) in its code",
        "# (fnaudit permissions). Review the resources before deploying.",
    ]
    for call in lp.unknown:
        header.append(f"# not mapped to an IAM action: {call.service}.{call.operation} at {call.loc}")
    if fmt == "serverless":
        header.append(
            f"# Paste under functions.{fn.name}.iamRoleStatements (serverless-iam-roles-per-function) "
            "or provider.iam.role.statements."
        )
        body = _yaml_statements(lp, app, "", with_logs=False) or ["[]"]
    elif fmt == "terraform":
        header.append(
            f"# Use it as the policy of the role {fn.name} runs with "
            "(`policy = data.aws_iam_policy_document.<name>.json` in an aws_iam_role_policy)."
        )
        body = _terraform(lp, fn, app)
    elif fmt == "sam":
        header.append(f"# Paste under the Policies: of {fn.name} (SAM adds AWSLambdaBasicExecutionRole itself).")
        body = [
            '- Version: "2012-10-17"',
            "  Statement:",
            *(_yaml_statements(lp, app, "    ", with_logs=False) or ["    []"]),
        ]
    else:
        header.append(f"# Paste under the Policies: of the AWS::IAM::Role that {fn.name} runs with.")
        body = [
            f"- PolicyName: {fn.name}-least-privilege",
            "  PolicyDocument:",
            '    Version: "2012-10-17"',
            "    Statement:",
            *_yaml_statements(lp, app, "      ", with_logs=True),
        ]
    out.write("\n".join(header + body) + "\n")


def render_effective(fn: Function, out: TextIO) -> None:
    """The function's effective permissions and blast radius, as plain-text tables."""
    perms, blast = fn.permissions, fn.blast_radius
    if perms is None or blast is None:
        out.write(f"{fn.name}: no execution role, or the IAM engine did not run\n")
        return
    out.write(
        f"Function {fn.name}: blast radius {blast.score:g}/100"
        f"{' (administrator: reaches every action)' if blast.admin else ''}; "
        f"{blast.pairs} (action, resource) pair(s) granted directly\n\n"
    )
    levels = ("List", "Read", "Write", "Tagging", "Permissions management", "Unknown")
    present = [lv for lv in levels if any(lv in v for v in blast.by_service.values())]
    if present:
        widths = [max(7, max(len(s) for s in blast.by_service))] + [max(len(lv), 5) for lv in present]
        head = ["service", *present]
        out.write("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip() + "\n")
        for svc, counts in blast.by_service.items():
            row = [svc, *(str(counts.get(lv, "")) for lv in present)]
            out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
        out.write("\n")
    out.write("Grants:\n")
    for g in perms.grants:
        written = ", ".join(g.written)
        cond = " (conditional)" if g.conditional else ""
        excl = f" except {', '.join(g.except_resources)}" if g.except_resources else ""
        out.write(f"  {written} on {g.resource_text}{excl}{cond}: {len(g.actions)} action(s) — {g.describe()}\n")
    for e in perms.escalations:
        steps = "; ".join(f"{a} ({g.loc})" for a, g in e.evidence)
        targets = f" → {', '.join(e.targets)}" if e.targets else ""
        out.write(f"Escalation {e.method}: {e.name}{targets} — {steps}\n")
    if blast.reaches_functions:
        out.write(f"Reaches functions: {', '.join(blast.reaches_functions)}\n")
    if blast.inherits_from:
        out.write(f"Inherits permissions of: {', '.join(blast.inherits_from)}\n")
    if perms.unknown_policies:
        out.write(f"Unknown policies (not counted): {', '.join(perms.unknown_policies)}\n")
    if not perms.boundary_known:
        out.write(f"Permissions boundary {perms.boundary} is not in the app: not applied\n")
