"""The App model: one serverless application, whatever IaC dialect described it.

Loaders build it; rules read it. Every object is frozen. Values a rule inspects
are `Value`s carrying their source location and origin (see `loc.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from fnaudit.model.api import Api
from fnaudit.model.code import CodeFacts, SdkCall
from fnaudit.model.drift import Difference
from fnaudit.model.loc import Loc, Origin, Value
from fnaudit.model.package import Package
from fnaudit.model.permissions import BlastRadius, EffectivePermissions
from fnaudit.model.secrets import SecretCandidate
from fnaudit.model.unclaimed import UnclaimedEntry


class Dialect(StrEnum):
    SERVERLESS = "serverless"
    SAM = "sam"
    CLOUDFORMATION = "cloudformation"
    CHALICE = "chalice"  # AWS Chalice: `.chalice/config.json` + `app.py` (routes and event handlers as functions)
    ZAPPA = "zappa"  # Zappa: `zappa_settings.json` naming a WSGI app (`app_function`) and its events
    TERRAFORM = "terraform"  # a Terraform root module (`.tf` / `.tf.json` files of one folder)
    CDK = "cdk"  # an AWS CDK app read from its TypeScript / JavaScript / Python source (`cdk.json` names the entry)


class TriggerKind(StrEnum):
    API_REST = "api"  # API Gateway REST (v1): serverless `http`, SAM `Api`, AWS::ApiGateway::Method
    API_HTTP = "httpApi"  # API Gateway HTTP (v2): serverless `httpApi`, SAM `HttpApi`, AWS::ApiGatewayV2::Route
    FUNCTION_URL = "url"
    ALB = "alb"
    S3 = "s3"
    SQS = "sqs"
    SNS = "sns"
    DYNAMODB_STREAM = "dynamodb"
    KINESIS = "kinesis"
    KAFKA = "kafka"
    MQ = "mq"
    SCHEDULE = "schedule"
    EVENTBRIDGE = "eventbridge"
    COGNITO = "cognito"
    IOT = "iot"
    CLOUDWATCH_LOGS = "cloudwatchLogs"
    # Internal callers (the trust model, issue 22): the event comes from AWS or from the app itself, not from
    # the public. A custom resource's ServiceToken, a state machine's task, another function's destination.
    CUSTOM_RESOURCE = "customResource"
    STEP_FUNCTIONS = "stepFunctions"
    LAMBDA_INVOKE = "lambdaInvoke"
    OTHER = "other"

    @property
    def is_http(self) -> bool:
        return self in (TriggerKind.API_REST, TriggerKind.API_HTTP, TriggerKind.FUNCTION_URL, TriggerKind.ALB)

    @property
    def is_async(self) -> bool:
        """Lambda invokes the function asynchronously (so failures need a DLQ or on-failure destination)."""
        return self in (
            TriggerKind.S3,
            TriggerKind.SNS,
            TriggerKind.EVENTBRIDGE,
            TriggerKind.SCHEDULE,
            TriggerKind.IOT,
            TriggerKind.CLOUDWATCH_LOGS,
        )

    @property
    def is_trusted_caller(self) -> bool:
        """The caller is CloudFormation, Step Functions or another function of the app: its events are not
        attacker controlled by default (only what a template or an upstream step passed on may be)."""
        return self in (TriggerKind.CUSTOM_RESOURCE, TriggerKind.STEP_FUNCTIONS, TriggerKind.LAMBDA_INVOKE)


class AuthKind(StrEnum):
    NONE = "none"
    API_KEY = "api_key"  # API key only (usage plan): identifies a client, does not authenticate a user
    IAM = "aws_iam"
    COGNITO = "cognito"
    JWT = "jwt"
    LAMBDA = "lambda"  # custom (Lambda) authorizer
    UNKNOWN = "unknown"  # an authorizer is configured but we cannot tell its kind

    @property
    def authenticates(self) -> bool:
        return self not in (AuthKind.NONE, AuthKind.API_KEY)


@dataclass(frozen=True, slots=True)
class Authorizer:
    kind: AuthKind
    loc: Loc
    origin: Origin = Origin.SET
    name: str | None = None

    @staticmethod
    def none(loc: Loc, origin: Origin = Origin.DEFAULT) -> Authorizer:
        return Authorizer(AuthKind.NONE, loc, origin)


@dataclass(frozen=True, slots=True)
class Trigger:
    """One event source of a function."""

    kind: TriggerKind
    loc: Loc
    authorizer: Authorizer
    path: str | None = None  # HTTP path (or None)
    method: str | None = None  # HTTP method, upper case, "ANY" for any
    public: bool = False  # reachable from the internet (public API / URL / internet-facing ALB)
    api_key_required: bool = False
    source: str | None = None  # bucket, queue, topic, table, rule... name/ARN/logical id when known
    api: str | None = None  # logical id of the API this route belongs to, when known
    integration_timeout: int | None = None  # seconds the caller waits: 29 for REST APIs, 30 for HTTP APIs
    # The line that decides the route's authorization when it is not `loc` (`AuthorizationType: NONE`, the
    # event's `Auth: {Authorizer: NONE}`, an OpenAPI operation's `security`): where a missing-authorizer
    # finding goes, because that is the line a person edits to add one. None: `loc` decides.
    decided_at: Loc | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.authorizer.kind.authenticates

    @property
    def describe(self) -> str:
        if self.kind.is_trusted_caller:  # says who sends the event and why it is not the public's
            return _TRUSTED_CALLERS[self.kind].format(source=self.source or "of this app")
        if self.kind.is_http and self.path is not None:
            return f"{self.kind.value} {self.method or 'ANY'} {self.path}"
        if self.source:
            return f"{self.kind.value} {self.source}"
        return self.kind.value


_TRUSTED_CALLERS = {
    TriggerKind.CUSTOM_RESOURCE: "CloudFormation custom resource {source}: CloudFormation sends the event, not the public",
    TriggerKind.STEP_FUNCTIONS: "Step Functions state machine {source}: the workflow sends the event, not the public",
    TriggerKind.LAMBDA_INVOKE: "function {source} of this app: it sends the event, not the public",
}


class Effect(StrEnum):
    ALLOW = "Allow"
    DENY = "Deny"


@dataclass(frozen=True, slots=True)
class Statement:
    """One IAM policy statement, normalised: lists are tuples, strings stay as written."""

    effect: Effect
    loc: Loc
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    conditional: bool = False  # has a Condition block
    principals: tuple[str, ...] = ()  # for trust / resource policies: "*" or "Service:lambda.amazonaws.com"…
    sid: str | None = None
    source: str = ""  # where the statement came from, e.g. "provider.iam.role.statements[0]"
    conditions: tuple[tuple[str, str, tuple[str, ...]], ...] = ()  # Condition block: (operator, key, values)


@dataclass(frozen=True, slots=True)
class ManagedPolicy:
    """A managed policy attached to a role: AWS-managed (by name) or customer-managed (ARN / logical id)."""

    arn: str  # ARN as written (or the logical id of an AWS::IAM::ManagedPolicy in the app)
    loc: Loc
    statements: tuple[Statement, ...] = ()  # known when the policy is defined in the app

    @property
    def name(self) -> str:
        return self.arn.rsplit("/", 1)[-1]

    @property
    def aws_managed(self) -> bool:
        return ":iam::aws:policy/" in self.arn


@dataclass(frozen=True, slots=True)
class Role:
    """An execution role. `external` is True for a role ARN the app only references."""

    id: str  # logical id (or ARN when external)
    loc: Loc
    statements: tuple[Statement, ...] = ()
    managed_policies: tuple[ManagedPolicy, ...] = ()
    trust: tuple[Statement, ...] = ()
    permissions_boundary: str | None = None
    external: bool = False
    name: str | None = None

    def allow_statements(self) -> Iterator[Statement]:
        """Every Allow statement: inline, then from the app's own managed policies."""
        for st in self.all_statements():
            if st.effect is Effect.ALLOW:
                yield st

    def all_statements(self) -> Iterator[Statement]:
        yield from self.statements
        for mp in self.managed_policies:
            yield from mp.statements


@dataclass(frozen=True, slots=True)
class InlineSource:
    """Function code written in the template itself (SAM `InlineCode`, CloudFormation `Code.ZipFile`).

    `text` is the code laid out on the template's own lines: line n of `text` is line n of `file`
    (the lines before and between the code are empty), so every location the code engine reports
    in it is a template line. `module` is the module the handler names (`index` for `index.handler`),
    `extension` the file type the code is parsed as (`.py`, `.js`). The code is never written to disk.
    """

    file: str  # the template, relative to the scan root
    text: str
    module: str
    extension: str
    first_line: int  # template line of the first code line


@dataclass(frozen=True, slots=True)
class Code:
    """Where a function's code is and which symbol is its handler.

    `root` is the code folder relative to the scan root; `in_repo` False means the code is
    elsewhere (an S3 artifact, a container image, inline code). Inline code (`inline` set, with
    `handler_file` the template) is analysed from the template's text, not from a folder.
    """

    language: str  # python | node | java | go | dotnet | ruby | other
    in_repo: bool
    root: str | None = None
    handler_file: str | None = None  # path relative to the scan root, when found
    handler_symbol: str | None = None  # python function / JS export / Java `Class::method`
    note: str | None = None  # why the code is not in the repository / the handler was not found
    inline: InlineSource | None = None  # code written in the template


@dataclass(frozen=True, slots=True)
class FunctionUrl:
    auth_type: Value[str]  # NONE | AWS_IAM
    loc: Loc
    cors_allow_origins: tuple[str, ...] = ()
    cors_allow_credentials: bool = False


@dataclass(frozen=True, slots=True)
class Function:
    id: str  # unique in the scan: "<iac file>#<logical name>"
    name: str  # logical name as written (serverless key / CFN logical id)
    loc: Loc  # where the function is declared
    runtime: Value[str]
    handler: Value[str]
    code: Code
    environment: Mapping[str, Value[str]] = field(default_factory=dict)
    timeout: Value[int] = field(default_factory=lambda: Value.unset(Loc("")))
    memory: Value[int] = field(default_factory=lambda: Value.unset(Loc("")))
    reserved_concurrency: Value[int] = field(default_factory=lambda: Value.unset(Loc("")))
    triggers: tuple[Trigger, ...] = ()
    role: Role | None = None
    role_shared_with: tuple[str, ...] = ()  # names of the other functions that use the same role
    layers: tuple[Value[str], ...] = ()
    url: FunctionUrl | None = None
    dead_letter: Value[str] = field(default_factory=lambda: Value.unset(Loc("")))  # DLQ target
    on_failure: Value[str] = field(default_factory=lambda: Value.unset(Loc("")))  # async on-failure destination
    tracing: Value[str] = field(default_factory=lambda: Value.unset(Loc("")))  # Active | PassThrough
    log_retention_days: Value[int] = field(default_factory=lambda: Value.unset(Loc("")))
    package_type: str = "Zip"
    framework: str | None = None  # web/app framework the function's entries come from ("chalice"), None: plain
    architecture: Value[str] = field(default_factory=lambda: Value.unset(Loc("")))
    # Facts added after loading by the engines (fnaudit.engines.*), before the rules run.
    sdk_calls: tuple[SdkCall, ...] = ()
    code_facts: CodeFacts | None = None  # None: the code was not analysed
    packages: tuple[Package, ...] = ()
    # The dependency engine: why part of the credited lockfiles does not ship (a bundler, package.patterns).
    ship_note: str | None = None
    blast_radius: BlastRadius | None = None
    permissions: EffectivePermissions | None = None  # the IAM engine's effective permissions
    # The physical name the function gets when deployed, when the IaC says it (a literal `FunctionName` /
    # `function_name`, serverless `name:` or its `<service>-<stage>-<key>` convention): how a deployed function
    # is matched to its declaration (account/drift.py). None: AWS generates it (`<stack>-<LogicalId>-<SUFFIX>`).
    deployed_name: str | None = None

    @property
    def is_public(self) -> bool:
        return any(t.public for t in self.triggers)

    @property
    def http_triggers(self) -> tuple[Trigger, ...]:
        return tuple(t for t in self.triggers if t.kind.is_http)


def anyone(principal: str) -> bool:
    """Whether a principal as the loaders write it means any caller: `*`, `AWS:*` (the IAM normaliser's form of
    `{"AWS": "*"}`) or the JSON text of such a mapping."""
    text = principal.strip()
    if text in ("*", "AWS:*"):
        return True
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return False
        if isinstance(data, dict):
            values = data.get("AWS")
            return "*" in (values if isinstance(values, list) else [values])
    return False


@dataclass(frozen=True, slots=True)
class InvokePermission:
    """An AWS::Lambda::Permission (or equivalent): who may invoke which function."""

    function: str | None  # function name in this app, None when the target is outside it
    principal: str
    loc: Loc
    action: str = "lambda:InvokeFunction"
    source_arn: str | None = None
    source_account: str | None = None
    function_url_auth_type: str | None = None
    via_function_url: bool = False  # `InvokedViaFunctionUrl: true`: only usable through the function URL
    principal_loc: Loc | None = None  # the `Principal` line: the grant to narrow (None: not written)


@dataclass(frozen=True, slots=True)
class Resource:
    """A CloudFormation resource of the app (including those a serverless `resources:` block declares)."""

    logical_id: str
    type: str
    loc: Loc
    properties: Mapping[str, Any] = field(default_factory=dict)


class ComponentKind(StrEnum):
    NESTED = "nested"  # a local template, loaded as an App of its own (its `nested_in` names the parent)
    SAR = "sar"  # a Serverless Application Repository application: never fetched
    REMOTE = "remote"  # a template at an https:// or s3:// URL: never fetched
    UNRESOLVED = "unresolved"  # a location the template computes (a parameter, a Sub) or a missing file


@dataclass(frozen=True, slots=True)
class Component:
    """A nested application of the app (SAM `AWS::Serverless::Application`, `AWS::CloudFormation::Stack`).

    Only local templates are read; everything else is recorded so that the report can say which
    parts of the deployment fnaudit did not see."""

    logical_id: str
    type: str
    kind: ComponentKind
    location: str  # the application id, the URL, or the template path as written
    loc: Loc
    version: str | None = None  # SAR `SemanticVersion`
    loaded_as: str | None = None  # the nested template (relative to the scan root) when it was loaded
    note: str | None = None  # why it was not loaded


@dataclass(frozen=True, slots=True)
class App:
    """One deployable application: a serverless.yml, a SAM template, or a CloudFormation template."""

    name: str
    dialect: Dialect
    root: str  # folder of the IaC file, relative to the scan root ("" for the root itself)
    source: str  # IaC file, relative to the scan root
    functions: tuple[Function, ...] = ()
    roles: Mapping[str, Role] = field(default_factory=dict)
    resources: Mapping[str, Resource] = field(default_factory=dict)
    permissions: tuple[InvokePermission, ...] = ()
    # Suppressions written in the template itself (CloudFormation `Metadata: {fnaudit: {ignore: …}}`,
    # the only way to annotate a JSON template): function id → (rule selector, reason) pairs.
    ignores: Mapping[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)
    # Secrets the secrets engine found in files (code, bundled config, parameter defaults, flows),
    # judged and redacted; a file shared by several functions is reported once, naming them all.
    secret_candidates: tuple[SecretCandidate, ...] = ()
    # Files an engine read that no other fact names (configuration files the secrets engine scanned
    # and found nothing in), relative to the scan root: for `stats.files`, the count of files read.
    files_read: tuple[str, ...] = ()
    framework: str | None = None  # the framework the app is written with ("chalice"), None: plain IaC
    components: tuple[Component, ...] = ()  # nested applications, loaded or only recorded
    nested_in: str | None = None  # "<parent template>#<logical id>" when loaded as a nested application
    # Lockfiles and manifests under the app's folder that no function ships (a lockfile scanner would
    # still match them): the dependency engine fills it, the DEP rules report them with no function.
    packages: tuple[Package, ...] = ()
    # Entry points in code files no function claims (engines/code/unclaimed.py): never functions, so only
    # the CODE rules see them, reporting with no function and `attribution: "unclaimed"`.
    unclaimed: tuple[UnclaimedEntry, ...] = ()
    # API Gateway APIs with their own settings (throttling, usage plans, validators, CORS): model/api.py.
    apis: tuple[Api, ...] = ()
    # Differences between this (deployed) app and the repository's IaC, filled only by `scan aws: --compare`
    # (account/drift.py); the DRIFT rules read nothing else. Empty in an ordinary scan.
    drift: tuple[Difference, ...] = ()

    def function(self, name: str) -> Function | None:
        return next((f for f in self.functions if f.name == name), None)


def link_shared_roles(functions: tuple[Function, ...]) -> tuple[Function, ...]:
    """Fill `role_shared_with` on each function from the role ids the functions point at."""
    by_role: dict[str, list[str]] = {}
    for fn in functions:
        if fn.role is not None:
            by_role.setdefault(fn.role.id, []).append(fn.name)
    out = []
    for fn in functions:
        others: tuple[str, ...] = ()
        if fn.role is not None:
            others = tuple(sorted(n for n in by_role[fn.role.id] if n != fn.name))
        out.append(replace(fn, role_shared_with=others) if others != fn.role_shared_with else fn)
    return tuple(out)
