"""The fixture account: what tests/aws/fixtures/shop/template.yaml declares, created in the emulator with boto3.

`build_account(endpoint)` reads the template (plain CloudFormation, short-form `!Ref` / `!GetAtt` / `!Sub`) and
makes the API calls `aws cloudformation deploy` would, resource by resource, so that the account scan and the
repository scan of the same folder can be compared. It is strict on purpose: a resource type or a property it
does not know how to create raises `UnsupportedTemplate`, so the template can never declare something the
account silently lacks. Each function's code is the zip of its `Code` folder, built in memory the same way
every time (sorted members, fixed timestamps).

What moto does differently from AWS (seen with moto 5.2.6; the reader may meet both shapes):
- `Code.Location` is an `https://awslambda-<region>-tasks.s3...amazonaws.com/...` URL that nothing serves:
  `BuiltAccount.write_packages(folder)` writes the zips for the reader's `FNAUDIT_AWS_PACKAGE_DIR` hook.
- `get_policy` of a function URL permission puts `"FunctionUrlAuthType": "NONE"` at the top of the statement,
  where AWS writes `"Condition": {"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}`.
- `create_function` accepts any bytes as `ZipFile` (a corrupt zip is deployed as is).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.aws.emulator import ACCOUNT_ID, REGION, client

SHOP = Path(__file__).parent / "fixtures" / "shop"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can hold: the same bytes on every build
_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", ".git"})


class UnsupportedTemplate(ValueError):
    """The template declares something `build_account` cannot create (extend it, do not ignore it)."""


@dataclass(frozen=True)
class BuiltAccount:
    """What `build_account` created: the identity, the functions and the exact code each was created with."""

    endpoint: str
    account_id: str
    region: str
    functions: Mapping[str, str]  # function name -> function ARN
    packages: Mapping[str, bytes]  # function name -> the zip it was created with
    physical_ids: Mapping[str, str]  # template logical id -> what `Ref` gives (name, ARN, URL or id)

    def write_packages(self, folder: Path, replace: Mapping[str, bytes] | None = None) -> Path:
        """Write `<function name>.zip` for every function into `folder` (the reader's package hook).

        `replace` serves other bytes for some functions (a corrupt or zip-slip package) without redeploying, and
        the code of functions deployed later (`deploy_extra_function`).
        """
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in {**self.packages, **(replace or {})}.items():
            (folder / f"{name}.zip").write_bytes(data)
        return folder


# --- the template ---------------------------------------------------------------------------------------------


class _TemplateLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form tags, as the long forms they stand for."""


def _short_form(name: str) -> Callable[[yaml.SafeLoader, yaml.Node], dict[str, Any]]:
    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if name == "Fn::GetAtt":
                value = str(value).split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {name: value}

    return construct


for _tag, _name in (("!Ref", "Ref"), ("!GetAtt", "Fn::GetAtt"), ("!Sub", "Fn::Sub")):
    _TemplateLoader.add_constructor(_tag, _short_form(_name))


def load_template(fixture: Path = SHOP) -> dict[str, Any]:
    with (fixture / "template.yaml").open(encoding="utf-8") as fh:
        document: dict[str, Any] = yaml.load(fh, Loader=_TemplateLoader)  # noqa: S506 -- a SafeLoader subclass
    return document


# --- code packages --------------------------------------------------------------------------------------------


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def zip_members(members: Iterable[tuple[str, bytes]]) -> bytes:
    """A zip of `(name, data)` members, in the given order, with fixed metadata."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            archive.writestr(_entry(name), data)
    return buffer.getvalue()


def zip_folder(folder: Path) -> bytes:
    """The deployment package of a code folder: every file under it, by sorted relative path."""
    files = sorted(
        p for p in folder.rglob("*") if p.is_file() and not _SKIPPED_DIRS.intersection(p.relative_to(folder).parts)
    )
    return zip_members((p.relative_to(folder).as_posix(), p.read_bytes()) for p in files)


def corrupt_zip(valid: bytes) -> bytes:
    """`valid` cut in half: the end-of-central-directory record is gone, so no zip reader opens it."""
    return valid[: len(valid) // 2]


def zip_slip_zip(
    handler_name: str = "app.py", handler: bytes = b"def handler(event, context):\n    return {}\n"
) -> bytes:
    """A package holding a normal handler and a member `../../evil.py` that escapes any folder it is unpacked in."""
    return zip_members([(handler_name, handler), ("../../evil.py", b"import os\nos.system('id')\n")])


# --- building ---------------------------------------------------------------------------------------------------


@dataclass
class _Builder:
    endpoint: str
    fixture: Path
    resources: Mapping[str, Any]
    refs: dict[str, str]
    attrs: dict[tuple[str, str], str]
    functions: dict[str, str]
    packages: dict[str, bytes]
    clients: dict[str, Any]

    def client(self, service: str) -> Any:
        # one client per service: making a boto3 client costs more than the call
        if service not in self.clients:
            self.clients[service] = client(self.endpoint, service)
        return self.clients[service]

    # intrinsic functions ---------------------------------------------------------------------------------------

    def value(self, node: Any) -> Any:
        if isinstance(node, dict) and len(node) == 1:
            ((key, arg),) = node.items()
            if key == "Ref":
                return self._ref(str(arg))
            if key == "Fn::GetAtt":
                logical, attribute = arg
                return self._attr(logical, attribute)
            if key == "Fn::Sub":
                return re.sub(r"\$\{([^}]+)\}", lambda m: self._sub(m.group(1)), str(arg))
        if isinstance(node, dict):
            return {k: self.value(v) for k, v in node.items()}
        if isinstance(node, list):
            return [self.value(v) for v in node]
        return node

    def _ref(self, name: str) -> str:
        pseudo = {"AWS::Region": REGION, "AWS::AccountId": ACCOUNT_ID, "AWS::Partition": "aws"}
        if name in pseudo:
            return pseudo[name]
        if name not in self.refs:
            raise UnsupportedTemplate(f"!Ref {name}: not created yet (or not a resource of the template)")
        return self.refs[name]

    def _attr(self, logical: str, attribute: str) -> str:
        if (logical, attribute) not in self.attrs:
            raise UnsupportedTemplate(f"!GetAtt {logical}.{attribute}: not created yet or not supported")
        return self.attrs[(logical, attribute)]

    def _sub(self, expression: str) -> str:
        if "." in expression:
            logical, attribute = expression.split(".", 1)
            return self._attr(logical, attribute)
        return self._ref(expression)

    def properties(self, logical: str, allowed: set[str]) -> dict[str, Any]:
        props = self.value(self.resources[logical].get("Properties", {}))
        unknown = set(props) - allowed
        if unknown:
            raise UnsupportedTemplate(f"{logical}: properties {sorted(unknown)} are not created by build_account")
        return dict(props)

    # resources ------------------------------------------------------------------------------------------------

    def managed_policy(self, logical: str) -> None:
        p = self.properties(logical, {"ManagedPolicyName", "PolicyDocument", "Description"})
        arn = self.client("iam").create_policy(
            PolicyName=p["ManagedPolicyName"],
            PolicyDocument=json.dumps(p["PolicyDocument"]),
            Description=p.get("Description", ""),
        )["Policy"]["Arn"]
        self.refs[logical] = arn

    def role(self, logical: str) -> None:
        p = self.properties(logical, {"RoleName", "AssumeRolePolicyDocument", "ManagedPolicyArns", "Policies"})
        iam = self.client("iam")
        role = iam.create_role(
            RoleName=p["RoleName"], AssumeRolePolicyDocument=json.dumps(p["AssumeRolePolicyDocument"])
        )
        for policy in p.get("Policies", []):
            iam.put_role_policy(
                RoleName=p["RoleName"],
                PolicyName=policy["PolicyName"],
                PolicyDocument=json.dumps(policy["PolicyDocument"]),
            )
        for arn in p.get("ManagedPolicyArns", []):
            iam.attach_role_policy(RoleName=p["RoleName"], PolicyArn=arn)
        self.refs[logical] = p["RoleName"]
        self.attrs[(logical, "Arn")] = role["Role"]["Arn"]

    def queue(self, logical: str) -> None:
        p = self.properties(logical, {"QueueName", "VisibilityTimeout", "MessageRetentionPeriod"})
        attributes = {k: str(v) for k, v in p.items() if k != "QueueName"}
        sqs = self.client("sqs")
        url = sqs.create_queue(QueueName=p["QueueName"], Attributes=attributes)["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        self.refs[logical] = url
        self.attrs[(logical, "Arn")] = arn
        self.attrs[(logical, "QueueName")] = p["QueueName"]

    def function(self, logical: str) -> None:
        p = self.properties(
            logical,
            {
                "Runtime",
                "Handler",
                "Code",
                "Role",
                "Timeout",
                "MemorySize",
                "Environment",
                "ReservedConcurrentExecutions",
            },
        )
        code = p["Code"]
        if not isinstance(code, str):
            raise UnsupportedTemplate(f"{logical}: Code must be a local folder (`Code: ./orders/`)")
        package = zip_folder((self.fixture / code).resolve())
        lam = self.client("lambda")
        extra = {k: p[k] for k in ("Timeout", "MemorySize", "Environment") if k in p}
        created = lam.create_function(
            FunctionName=logical,  # the fixture's rule: a function's logical id is its deployed name
            Runtime=p["Runtime"],
            Handler=p["Handler"],
            Role=p["Role"],
            Code={"ZipFile": package},
            **extra,
        )
        if "ReservedConcurrentExecutions" in p:
            lam.put_function_concurrency(
                FunctionName=logical, ReservedConcurrentExecutions=int(p["ReservedConcurrentExecutions"])
            )
        self.refs[logical] = logical
        self.attrs[(logical, "Arn")] = created["FunctionArn"]
        self.functions[logical] = created["FunctionArn"]
        self.packages[logical] = package

    def log_group(self, logical: str) -> None:
        p = self.properties(logical, {"LogGroupName", "RetentionInDays"})
        logs = self.client("logs")
        logs.create_log_group(logGroupName=p["LogGroupName"])
        if "RetentionInDays" in p:
            logs.put_retention_policy(logGroupName=p["LogGroupName"], retentionInDays=int(p["RetentionInDays"]))
        self.refs[logical] = p["LogGroupName"]

    def url(self, logical: str) -> None:
        p = self.properties(logical, {"TargetFunctionArn", "AuthType", "Cors", "Qualifier"})
        kwargs = {"FunctionName": p["TargetFunctionArn"], "AuthType": p["AuthType"]}
        kwargs.update({k: p[k] for k in ("Cors", "Qualifier") if k in p})
        created = self.client("lambda").create_function_url_config(**kwargs)
        self.refs[logical] = created["FunctionArn"]
        self.attrs[(logical, "FunctionUrl")] = created["FunctionUrl"]

    def permission(self, logical: str) -> None:
        p = self.properties(
            logical, {"Action", "FunctionName", "Principal", "SourceArn", "SourceAccount", "FunctionUrlAuthType"}
        )
        self.client("lambda").add_permission(StatementId=logical, **p)
        self.refs[logical] = logical

    def event_source_mapping(self, logical: str) -> None:
        p = self.properties(logical, {"EventSourceArn", "FunctionName", "BatchSize", "Enabled"})
        created = self.client("lambda").create_event_source_mapping(**p)
        self.refs[logical] = created["UUID"]

    def http_api(self, logical: str) -> None:
        p = self.properties(logical, {"Name", "ProtocolType", "Description"})
        created = self.client("apigatewayv2").create_api(**p)
        self.refs[logical] = created["ApiId"]
        self.attrs[(logical, "ApiEndpoint")] = created["ApiEndpoint"]

    def integration(self, logical: str) -> None:
        p = self.properties(logical, {"ApiId", "IntegrationType", "IntegrationUri", "PayloadFormatVersion"})
        self.refs[logical] = self.client("apigatewayv2").create_integration(**p)["IntegrationId"]

    def route(self, logical: str) -> None:
        p = self.properties(logical, {"ApiId", "RouteKey", "AuthorizationType", "Target", "AuthorizerId"})
        self.refs[logical] = self.client("apigatewayv2").create_route(**p)["RouteId"]

    def stage(self, logical: str) -> None:
        p = self.properties(logical, {"ApiId", "StageName", "AutoDeploy"})
        self.refs[logical] = self.client("apigatewayv2").create_stage(**p)["StageName"]


# Creation order: a resource only refers to kinds created before it.
_ORDER: tuple[tuple[str, Callable[[_Builder, str], None]], ...] = (
    ("AWS::IAM::ManagedPolicy", _Builder.managed_policy),
    ("AWS::IAM::Role", _Builder.role),
    ("AWS::SQS::Queue", _Builder.queue),
    ("AWS::Lambda::Function", _Builder.function),
    ("AWS::Logs::LogGroup", _Builder.log_group),
    ("AWS::Lambda::Url", _Builder.url),
    ("AWS::ApiGatewayV2::Api", _Builder.http_api),
    ("AWS::ApiGatewayV2::Integration", _Builder.integration),
    ("AWS::ApiGatewayV2::Route", _Builder.route),
    ("AWS::ApiGatewayV2::Stage", _Builder.stage),
    ("AWS::Lambda::Permission", _Builder.permission),
    ("AWS::Lambda::EventSourceMapping", _Builder.event_source_mapping),
)


def build_account(endpoint: str, fixture: Path = SHOP) -> BuiltAccount:
    """Create in the emulator at `endpoint` every resource of `fixture`/template.yaml (see the module docstring)."""
    resources: dict[str, Any] = load_template(fixture)["Resources"]
    known = {kind for kind, _ in _ORDER}
    unsupported = sorted({r["Type"] for r in resources.values()} - known)
    if unsupported:
        raise UnsupportedTemplate(f"resource types {unsupported} are not created by build_account")
    builder = _Builder(endpoint, fixture, resources, {}, {}, {}, {}, {})
    for kind, create in _ORDER:
        for logical, resource in resources.items():
            if resource["Type"] == kind:
                create(builder, logical)
    return BuiltAccount(
        endpoint=endpoint,
        account_id=ACCOUNT_ID,
        region=REGION,
        functions=dict(builder.functions),
        packages=dict(builder.packages),
        physical_ids=dict(builder.refs),
    )


# --- changes for drift tests -----------------------------------------------------------------------------------


def change_setting(account: BuiltAccount, function: str, **configuration: Any) -> dict[str, Any]:
    """Change a deployed function's configuration as the console would (`update_function_configuration`).

    Examples: `change_setting(account, "OrdersFunction", Runtime="python3.9")`,
    `change_setting(account, "OrderWorkerFunction", Environment={"Variables": {"ORDERS_TABLE": "x", "DEBUG": "1"}})`,
    `change_setting(account, "ReceiptsFunction", Timeout=300)`. Returns the new configuration.
    """
    updated: dict[str, Any] = client(account.endpoint, "lambda").update_function_configuration(
        FunctionName=function, **configuration
    )
    return updated


def set_reserved_concurrency(account: BuiltAccount, function: str, limit: int | None) -> None:
    """Set (or, with None, remove) a function's reserved concurrency."""
    lam = client(account.endpoint, "lambda")
    if limit is None:
        lam.delete_function_concurrency(FunctionName=function)
    else:
        lam.put_function_concurrency(FunctionName=function, ReservedConcurrentExecutions=limit)


def set_url_auth(account: BuiltAccount, function: str, auth_type: str) -> None:
    """Change a function URL's AuthType (`AWS_IAM` closes the fixture's public receipts URL)."""
    client(account.endpoint, "lambda").update_function_url_config(FunctionName=function, AuthType=auth_type)


def add_role_statement(account: BuiltAccount, role: str, name: str, statement: dict[str, Any]) -> None:
    """Add an inline policy holding one statement to a role, as someone editing it in the console would."""
    document = {"Version": "2012-10-17", "Statement": [statement]}
    client(account.endpoint, "iam").put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(document))


def deploy_extra_function(
    account: BuiltAccount, name: str, role_arn: str, code: bytes, runtime: str = "python3.12"
) -> str:
    """Create a function the template does not declare (deployed by hand); returns its ARN.

    Its package is not in `account.packages`: serve it with `account.write_packages(folder, {name: code})`.
    """
    created = client(account.endpoint, "lambda").create_function(
        FunctionName=name, Runtime=runtime, Role=role_arn, Handler="app.handler", Code={"ZipFile": code}
    )
    return str(created["FunctionArn"])


def delete_function(account: BuiltAccount, name: str) -> None:
    """Remove a deployed function (the template still declares it: 'in IaC but not deployed')."""
    client(account.endpoint, "lambda").delete_function(FunctionName=name)
