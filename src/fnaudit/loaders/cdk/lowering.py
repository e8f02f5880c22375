"""The CloudFormation template a CDK app's constructs are, written as they are read.

Lines are virtual (`LineTable`) as for Terraform: each maps to the CDK source file and line of the
construct or property, so `lowered.build_lowered` can move the App's locations back. A value only
running the app would give is a template parameter named by the expression (`Unknown`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fnaudit.loaders._yaml import LDict, LList
from fnaudit.loaders.cdk.values import Cfn, Construct, Made, ObjV, PathV, Sym, Unknown
from fnaudit.loaders.lowered import LineTable, add_resource, unknown_parameter

BASIC_EXECUTION = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
# `SecretValue.unsafePlainText('x')` (`plainText` in CDK v1): a secret written in the app's source
_PLAIN_SECRETS = ("SecretValue.unsafePlainText", "SecretValue.plainText")


@dataclass(slots=True)
class Out:
    lines: LineTable = field(default_factory=LineTable)
    resources: LDict = field(default_factory=LDict)
    parameters: LDict = field(default_factory=LDict)
    local_code: dict[str, str] = field(default_factory=dict)  # placeholder S3 key → folder (relative to base)
    policies: dict[str, LList] = field(default_factory=dict)  # role path → statements of its DefaultPolicy
    # (virtual line, message): what was met but not read, said as `errors` entries at the real line
    notes: list[tuple[int, str]] = field(default_factory=list)

    def v(self, rel: str, line: int) -> int:
        return self.lines.line(rel, line)

    def add(self, lid: str, cfn_type: str, props: LDict, rel: str, line: int) -> LDict:
        return add_resource(self.resources, self.lines, lid, cfn_type, props, rel, line, "cdk")

    def new_props(self, rel: str, line: int) -> LDict:
        return LDict(self.v(rel, line))

    def put(self, props: LDict, key: str, value: Any, rel: str, line: int) -> None:
        props[key] = self.cfn(value, rel, line)
        props.key_lines[key] = self.v(rel, line)

    def parameter(self, value: Unknown) -> str:
        return unknown_parameter(self.parameters, value.text, value.why)

    def cfn(self, value: Any, rel: str, line: int) -> Any:
        """An evaluated value in CloudFormation form, with lines where the value knows them."""
        if isinstance(value, Cfn):
            return value.value
        if isinstance(value, Unknown):
            return {"Ref": self.parameter(value)}
        if isinstance(value, Construct):
            if value.data.get("imported"):
                return {"Ref": self.parameter(Unknown(value.path, "a resource imported from outside the app"))}
            return {"Ref": value.path}
        if isinstance(value, Sym):
            return {"Ref": self.parameter(Unknown(value.path, "a CDK value the loader does not translate"))}
        if isinstance(value, Made):
            if value.sym.startswith("Duration.") and value.args and isinstance(value.args[0], (int, float)):
                return seconds(value)
            if value.sym.endswith(_PLAIN_SECRETS) and value.args and isinstance(value.args[0], str):
                return value.args[0]  # written in the app, so in the template: the secret as it is
            return {"Ref": self.parameter(Unknown(value.sym, "a CDK value the loader does not translate"))}
        if isinstance(value, PathV):
            return value.rel
        if isinstance(value, ObjV):
            out = LDict(self.v(rel, value.line))
            for k, (item, at) in value.items.items():
                out[k] = self.cfn(item, rel, at)
                out.key_lines[k] = self.v(rel, at)
            return out
        if isinstance(value, dict) and not isinstance(value, LDict):
            d = LDict(self.v(rel, line))
            for k, item in value.items():
                d[k] = self.cfn(item, rel, line)
                d.key_lines[k] = d.line
            return d
        if isinstance(value, list):
            lst = LList(self.v(rel, line))
            for item in value:
                lst.append(self.cfn(item, rel, line))
                lst.item_lines.append(lst.line)
            return lst
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    # ---- roles -----------------------------------------------------------------------------------

    def role(self, path: str, rel: str, line: int, service: str = "lambda.amazonaws.com") -> Construct:
        """The role CDK makes (for a function: trust in Lambda and the basic execution policy)."""
        props = self.new_props(rel, line)
        props["AssumeRolePolicyDocument"] = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
        props.key_lines["AssumeRolePolicyDocument"] = props.line
        arns = LList(props.line)
        props["ManagedPolicyArns"] = arns
        props.key_lines["ManagedPolicyArns"] = props.line
        self.add(path, "AWS::IAM::Role", props, rel, line)
        return Construct("role", path, rel, line)

    def managed_policy(self, role: Any, arn: Any, rel: str, line: int) -> None:
        res = self.resources.get(role.path) if isinstance(role, Construct) else None
        if not isinstance(res, LDict):
            return
        arns = res["Properties"].setdefault("ManagedPolicyArns", LList(self.v(rel, line)))
        arns.append(self.cfn(arn, rel, line))
        arns.item_lines.append(self.v(rel, line))

    def statement(self, role: Any, stmt: LDict) -> None:
        """A statement on the role's DefaultPolicy (the `AWS::IAM::Policy` CDK gathers them in)."""
        if not isinstance(role, Construct) or role.kind != "role":
            self.notes.append(
                (stmt.line, "a statement on a role not made in the app (imported or computed) is not read")
            )
            return
        statements = self.policies.get(role.path)
        if statements is None:
            statements = LList(stmt.line)
            doc = LDict(stmt.line)
            doc["Version"] = "2012-10-17"
            doc["Statement"] = statements
            doc.key_lines["Statement"] = stmt.line
            props = LDict(stmt.line)
            props["PolicyName"] = role.path.replace("/", "") + "DefaultPolicy"
            props["PolicyDocument"] = doc
            props.key_lines["PolicyDocument"] = stmt.line
            props["Roles"] = [{"Ref": role.path}]
            res = LDict(stmt.line)
            res.update({"Type": "AWS::IAM::Policy", "Properties": props})
            res.key_lines.update({"Type": stmt.line, "Properties": stmt.line})
            lid = role.path + "/DefaultPolicy"
            self.resources[lid] = res
            self.resources.key_lines[lid] = stmt.line
            self.policies[role.path] = statements
        statements.append(stmt)
        statements.item_lines.append(stmt.line)

    def allow(self, actions: list[Any], resources: list[Any], rel: str, line: int, effect: str = "Allow") -> LDict:
        stmt = LDict(self.v(rel, line))
        stmt["Effect"] = effect
        self.put(stmt, "Action", actions, rel, line)
        self.put(stmt, "Resource", resources, rel, line)
        stmt.key_lines["Effect"] = stmt.line
        return stmt


def seconds(value: Made) -> int | float:
    amount = value.args[0]
    factor = {"Duration.seconds": 1, "Duration.minutes": 60, "Duration.hours": 3600, "Duration.millis": 0.001}
    result = amount * factor.get(value.sym, 1)
    return int(result) if float(result).is_integer() else result


def arn_of(value: Any) -> Any:
    """The ARN of a construct as CloudFormation writes it (`GetAtt x.Arn`; `Ref` for a topic)."""
    if isinstance(value, Construct):
        if value.data.get("imported"):
            return Unknown(f"{value.path} ARN", "a resource imported from outside the app")
        if value.kind in ("topic", "secret", "layer"):  # their `Ref` is the ARN
            return Cfn({"Ref": value.path})
        return Cfn({"Fn::GetAtt": [value.path, "Arn"]})
    return value
