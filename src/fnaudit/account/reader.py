"""Reading one region of an account: functions, their packages, roles, and what triggers them.

Calls are paginated and run in a bounded thread pool (one task per function, one per role); botocore's
adaptive retry mode absorbs throttling. Every failure is an `errors` entry (`calls.Caller`), never an
exception, except when the account cannot be reached at all.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from fnaudit.account.calls import Caller, each
from fnaudit.account.packages import MAX_PACKAGE_BYTES, PackageError, PackageSource, too_large
from fnaudit.account.snapshot import (
    Alias,
    DeployedFunction,
    DeployedPolicy,
    DeployedRole,
    EventRule,
    HttpApi,
    Layer,
    Package,
    RegionSnapshot,
    RestApi,
)
from fnaudit.account.target import AccountTarget
from fnaudit.errors import InputError, Loss
from fnaudit.loaders import archives

MAX_THREADS = 16
LAYERS = "layers"  # beside `packages/` in a region's folder
T = TypeVar("T")
R = TypeVar("R")


@dataclass(slots=True)
class RoleCache:
    """Roles and managed policies are global (IAM): read once per scan, whatever the regions."""

    roles: dict[str, DeployedRole | None] = field(default_factory=dict)
    policies: dict[str, DeployedPolicy] = field(default_factory=dict)
    layers: dict[str, Layer] = field(default_factory=dict)  # layer version ARN → layer (regional ARNs: no clash)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass(frozen=True, slots=True)
class RegionReader:
    caller: Caller
    account: str
    target: AccountTarget
    packages: PackageSource
    folder: Path  # where this region's packages are written (the scan's private folder)
    roles: RoleCache
    max_package_bytes: int = MAX_PACKAGE_BYTES
    progress: Callable[[int, int], None] | None = None

    @property
    def where(self) -> str:
        return f"aws:{self.account}:{self.caller.region}"

    def read(self) -> RegionSnapshot:
        listed = self.caller.pages(
            "lambda", "ListFunctions", "Functions", self.where, "list of the region's functions", Loss.APP
        )
        configs = [c for c in each(listed) if self.target.wants(str(c.get("FunctionName", "")))]
        # One listing for the region, not one per function: a thousand functions, a thousand requests fewer.
        mappings: dict[str, list[Any]] = {}
        if configs:
            for m in each(
                self.caller.pages(
                    "lambda", "ListEventSourceMappings", "EventSourceMappings", self.where, "event source mappings"
                )
            ):
                mappings.setdefault(_unqualified(str(m.get("FunctionArn", ""))), []).append(m)
        done = [0]

        def one(config: dict[str, Any]) -> DeployedFunction:
            fn = self._function(config, mappings.get(str(config.get("FunctionArn")), []))
            if self.progress:
                done[0] += 1
                self.progress(done[0], len(configs))
            return fn

        functions = _pooled(one, configs)
        role_arns = sorted({str(f.configuration.get("Role")) for f in functions if f.configuration.get("Role")})
        roles = {r.arn: r for r in _pooled(self._role, role_arns) if r is not None}
        names = {f.arn for f in functions}
        return RegionSnapshot(
            account=self.account,
            region=self.caller.region,
            functions=tuple(functions),
            roles=roles,
            rest_apis=tuple(self._rest_apis()),
            http_apis=tuple(self._http_apis()),
            rules=tuple(self._event_rules(names)),
            subscriptions=tuple(self._subscriptions(names)),
            buckets=tuple(self._buckets(names)) if self.target.with_s3 else (),
            log_retention=self._log_retention(),
        )

    # ---- functions ------------------------------------------------------------------------

    def _function(self, config: dict[str, Any], mappings: list[Any]) -> DeployedFunction:
        c = self.caller
        name = str(config["FunctionName"])
        arn = str(config["FunctionArn"])
        got = c.call("lambda", "GetFunction", arn, "code package or reserved concurrency", FunctionName=name)
        concurrency = None
        image_uri = None
        location = None
        if got:
            config = {**config, **(got.get("Configuration") or {})}
            concurrency = (got.get("Concurrency") or {}).get("ReservedConcurrentExecutions")
            code = got.get("Code") or {}
            image_uri = code.get("ImageUri")
            location = code.get("Location")
        package = self._package(name, arn, config, location, image_uri, got is not None)
        policy = _document(
            (c.call("lambda", "GetPolicy", arn, "resource policy (who may invoke it)", FunctionName=name) or {}).get(
                "Policy"
            )
        )
        url = c.call("lambda", "GetFunctionUrlConfig", arn, "function URL configuration", FunctionName=name)
        aliases = []
        for alias in each(c.pages("lambda", "ListAliases", "Aliases", arn, "aliases", FunctionName=name)):
            alias_policy = c.call(
                "lambda", "GetPolicy", str(alias["AliasArn"]), "alias resource policy", FunctionName=name,
                Qualifier=alias["Name"],
            )  # fmt: skip
            aliases.append(
                Alias(str(alias["Name"]), str(alias["AliasArn"]), _document((alias_policy or {}).get("Policy")))
            )
        invoke = c.call(
            "lambda", "GetFunctionEventInvokeConfig", arn, "asynchronous invocation settings", FunctionName=name
        )
        layers = tuple(
            self._layer(str(layer["Arn"]), layer.get("CodeSize"))
            for layer in config.get("Layers") or ()
            if isinstance(layer, dict) and layer.get("Arn")
        )
        return DeployedFunction(
            name=name,
            arn=arn,
            configuration=_plain(config),
            package=package,
            concurrency=concurrency if isinstance(concurrency, int) else None,
            policy=policy,
            url=_plain(url) if url else None,
            mappings=tuple(_plain(m) for m in each(mappings)),
            aliases=tuple(aliases),
            invoke_config=_plain(invoke) if invoke else None,
            image_uri=str(image_uri) if image_uri else None,
            layers=layers,
        )

    def _package(
        self, name: str, arn: str, config: dict[str, Any], location: Any, image: Any, described: bool
    ) -> Package:
        if config.get("PackageType") == "Image" or image:
            return Package(None, f"container image {image or ''}".strip() + ": image code is not fetched")
        if not described:
            return Package(None, "GetFunction failed, so its package location is unknown")
        why = too_large(config.get("CodeSize"), self.max_package_bytes)
        if why is None and not isinstance(location, str):
            why = "no code location was returned"
        if why is not None:
            self.caller.error(arn, why, Loss.PARTIAL)
            return Package(None, why)
        dest = self.folder / f"{name}.zip"
        started = time.perf_counter()
        try:
            self.packages.fetch(name, location, dest, self.max_package_bytes)
        except PackageError as exc:
            self.caller.error(arn, f"{exc}; its code was not analysed", Loss.PARTIAL)
            return Package(None, str(exc))
        finally:
            self.caller.downloaded(time.perf_counter() - started)
        return Package(dest)

    def _layer(self, arn: str, size: Any) -> Layer:
        """A layer version, read once per scan and unpacked beside the packages (`layers/<name>-<version>/`)."""
        with self.roles.lock:
            if arn in self.roles.layers:
                return self.roles.layers[arn]
        layer = self._read_layer(arn, size)
        with self.roles.lock:
            return self.roles.layers.setdefault(arn, layer)

    def _read_layer(self, arn: str, size: Any) -> Layer:
        label = Layer(arn, None).label
        why = too_large(size, self.max_package_bytes)
        if why is not None:
            self.caller.error(arn, f"layer {label}: {why}; its files were not analysed", Loss.PARTIAL)
            return Layer(arn, None, why)
        name, _, version = arn.rpartition(":")
        got = self.caller.call(
            "lambda", "GetLayerVersion", arn, "layer contents", LayerName=name, VersionNumber=int(version)
        )
        location = ((got or {}).get("Content") or {}).get("Location")
        if not isinstance(location, str):  # the failed call is an error entry already
            return Layer(arn, None, "its content location could not be read")
        layers = self.folder.parent / LAYERS
        layers.mkdir(exist_ok=True)
        zip_path = layers / f"{label}.zip"
        folder = layers / label
        started = time.perf_counter()
        try:
            self.packages.fetch(label, location, zip_path, self.max_package_bytes)
            folder.mkdir()
            archives.unpack(zip_path, folder, f"layer {label}")
        except (PackageError, InputError) as exc:
            shutil.rmtree(folder, ignore_errors=True)
            self.caller.error(arn, f"layer {label}: {exc}; its files were not analysed", Loss.PARTIAL)
            return Layer(arn, None, str(exc))
        finally:
            zip_path.unlink(missing_ok=True)
            self.caller.downloaded(time.perf_counter() - started)
        return Layer(arn, folder)

    # ---- roles ----------------------------------------------------------------------------

    def _role(self, arn: str) -> DeployedRole | None:
        with self.roles.lock:
            if arn in self.roles.roles:
                return self.roles.roles[arn]
        c = self.caller
        name = arn.rsplit("/", 1)[-1]
        got = c.call("iam", "GetRole", arn, "execution role (trust policy, boundary)", RoleName=name)
        role_info = (got or {}).get("Role") or {}
        inline: list[tuple[str, Any]] = []
        for policy_name in each(
            c.pages("iam", "ListRolePolicies", "PolicyNames", arn, "inline policies", RoleName=name)
        ):
            doc = c.call(
                "iam", "GetRolePolicy", arn, f"inline policy {policy_name}", RoleName=name, PolicyName=policy_name
            )
            if doc:
                inline.append((str(policy_name), _document(doc.get("PolicyDocument")) or {}))
        attached = [
            self._managed(str(p["PolicyArn"]), str(p.get("PolicyName", "")), arn)
            for p in each(
                c.pages("iam", "ListAttachedRolePolicies", "AttachedPolicies", arn, "managed policies", RoleName=name)
            )
        ]
        boundary = (role_info.get("PermissionsBoundary") or {}).get("PermissionsBoundaryArn")
        role = DeployedRole(
            name=name,
            arn=arn,
            trust=_document(role_info.get("AssumeRolePolicyDocument")),
            inline=tuple(inline),
            attached=tuple(attached),
            boundary=str(boundary) if boundary else None,
        )
        with self.roles.lock:
            self.roles.roles[arn] = role
        return role

    def _managed(self, arn: str, name: str, role_arn: str) -> DeployedPolicy:
        """A customer-managed policy's default version is read; an AWS-managed one is known to the scan."""
        if ":iam::aws:policy/" in arn:
            return DeployedPolicy(arn, name)
        with self.roles.lock:
            if arn in self.roles.policies:
                return self.roles.policies[arn]
        c = self.caller
        got = c.call("iam", "GetPolicy", role_arn, f"managed policy {name}", PolicyArn=arn)
        version = ((got or {}).get("Policy") or {}).get("DefaultVersionId")
        doc = None
        if version:
            v = c.call("iam", "GetPolicyVersion", role_arn, f"managed policy {name}", PolicyArn=arn, VersionId=version)
            doc = _document(((v or {}).get("PolicyVersion") or {}).get("Document"))
        policy = DeployedPolicy(arn, name, doc)
        with self.roles.lock:
            self.roles.policies[arn] = policy
        return policy

    # ---- triggers -------------------------------------------------------------------------

    def _rest_apis(self) -> Iterable[RestApi]:
        c = self.caller
        plans = c.pages("apigateway", "GetUsagePlans", "items", self.where, "usage plans") or []
        for api in each(c.pages("apigateway", "GetRestApis", "items", self.where, "REST APIs")):
            api_id = str(api["id"])
            subject = f"arn:aws:apigateway:{c.region}::/restapis/{api_id}"
            resources = []
            for res in each(
                c.pages(
                    "apigateway", "GetResources", "items", subject, "API resources", restApiId=api_id, embed=["methods"]
                )
            ):
                methods = dict(res.get("resourceMethods") or {})
                for verb, method in list(methods.items()):
                    if not isinstance(method, dict) or "httpMethod" not in method:  # not embedded: ask
                        got = c.call(
                            "apigateway", "GetMethod", subject, f"method {verb} {res.get('path')}",
                            restApiId=api_id, resourceId=res["id"], httpMethod=verb,
                        )  # fmt: skip
                        methods[verb] = _plain(got) if got else {}
                resources.append({**_plain(res), "resourceMethods": methods})
            yield RestApi(
                api=_plain(api),
                resources=tuple(resources),
                authorizers=tuple(
                    _plain(a)
                    for a in each(
                        c.pages("apigateway", "GetAuthorizers", "items", subject, "authorizers", restApiId=api_id)
                    )
                ),
                stages=tuple(
                    _plain(s)
                    for s in each(c.pages("apigateway", "GetStages", "item", subject, "stages", restApiId=api_id))
                ),
                usage_plans=tuple(
                    _plain(p) for p in plans if any(s.get("apiId") == api_id for s in p.get("apiStages") or ())
                ),
            )

    def _http_apis(self) -> Iterable[HttpApi]:
        c = self.caller
        for api in each(c.pages("apigatewayv2", "GetApis", "Items", self.where, "HTTP and WebSocket APIs")):
            api_id = str(api["ApiId"])
            subject = f"arn:aws:apigateway:{c.region}::/apis/{api_id}"

            def listing(operation: str, what: str, subject: str = subject, api_id: str = api_id) -> tuple[Any, ...]:
                return tuple(
                    _plain(x) for x in each(c.pages("apigatewayv2", operation, "Items", subject, what, ApiId=api_id))
                )

            yield HttpApi(
                api=_plain(api),
                routes=listing("GetRoutes", "routes"),
                integrations=listing("GetIntegrations", "integrations"),
                authorizers=listing("GetAuthorizers", "authorizers"),
                stages=listing("GetStages", "stages"),
            )

    def _event_rules(self, functions: set[str]) -> Iterable[EventRule]:
        c = self.caller
        for rule in each(c.pages("events", "ListRules", "Rules", self.where, "EventBridge rules")):
            targets = c.pages(
                "events", "ListTargetsByRule", "Targets", str(rule.get("Arn")), "rule targets", Rule=rule["Name"]
            )
            mine = tuple(_plain(t) for t in each(targets) if _unqualified(str(t.get("Arn", ""))) in functions)
            if mine:
                yield EventRule(_plain(rule), mine)

    def _subscriptions(self, functions: set[str]) -> Iterable[dict[str, Any]]:
        c = self.caller
        for sub in each(c.pages("sns", "ListSubscriptions", "Subscriptions", self.where, "SNS subscriptions")):
            if sub.get("Protocol") == "lambda" and _unqualified(str(sub.get("Endpoint", ""))) in functions:
                yield _plain(sub)

    def _buckets(self, functions: set[str]) -> Iterable[tuple[str, dict[str, Any]]]:
        c = self.caller
        for bucket in each(c.pages("s3", "ListBuckets", "Buckets", self.where, "bucket list")):
            name = str(bucket["Name"])
            got = c.call(
                "s3", "GetBucketNotificationConfiguration", f"arn:aws:s3:::{name}", "bucket notifications", Bucket=name
            )
            configs = [
                _plain(x)
                for x in (got or {}).get("LambdaFunctionConfigurations") or ()
                if _unqualified(str(x.get("LambdaFunctionArn", ""))) in functions
            ]
            if configs:
                yield name, {"LambdaFunctionConfigurations": configs}

    def _log_retention(self) -> dict[str, int | None]:
        groups = self.caller.pages(
            "logs",
            "DescribeLogGroups",
            "logGroups",
            self.where,
            "log groups (retention)",
            logGroupNamePrefix="/aws/lambda/",
        )
        return {str(g["logGroupName"]): g.get("retentionInDays") for g in each(groups)}


def _pooled(work: Callable[[T], R], items: list[T]) -> list[R]:
    if len(items) <= 1:
        return [work(i) for i in items]
    with ThreadPoolExecutor(max_workers=min(MAX_THREADS, len(items)), thread_name_prefix="fnaudit-aws") as pool:
        return list(pool.map(work, items))


def _document(raw: Any) -> dict[str, Any] | None:
    """A policy document: IAM returns it URL-encoded JSON (or already decoded by boto3), Lambda as JSON text."""
    if isinstance(raw, dict):
        return raw
    if not isinstance(raw, str) or not raw:
        return None
    for text in (raw, urllib.parse.unquote(raw)):
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        return doc if isinstance(doc, dict) else None
    return None


def _plain(raw: Any) -> Any:
    """The response without its ResponseMetadata and with datetimes as text (they end up in JSON)."""
    if isinstance(raw, dict):
        return {k: _plain(v) for k, v in raw.items() if k != "ResponseMetadata"}
    if isinstance(raw, list | tuple):
        return [_plain(v) for v in raw]
    if hasattr(raw, "isoformat"):
        return raw.isoformat()
    return raw


def _unqualified(arn: str) -> str:
    """`arn:aws:lambda:r:a:function:name:alias` → `arn:aws:lambda:r:a:function:name`."""
    parts = arn.split(":")
    return ":".join(parts[:7]) if len(parts) > 7 and parts[5] == "function" else arn
