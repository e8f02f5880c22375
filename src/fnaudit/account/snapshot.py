"""What the account reader saw: the deployed state of one region, as AWS's APIs returned it.

The records keep the APIs' own dictionaries (`Raw`): the renderer (`render.py`) turns them into the
CloudFormation a person would have written to deploy the same thing, and the scan reads that. Nothing here
is judged; an API call that failed is an `errors` entry, and the part it would have filled stays empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Raw = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Package:
    """A function's or layer's code package, downloaded to the scan's private folder (never executed)."""

    path: Path | None  # the zip, None when it was not downloaded
    note: str | None = None  # why not (container image, too large, denied, download failed)


@dataclass(frozen=True, slots=True)
class Layer:
    """A layer version a function uses, unpacked into the scan's folder (its files are what Lambda mounts in /opt)."""

    arn: str  # arn:aws:lambda:<region>:<account>:layer:<name>:<version>
    folder: Path | None  # None when it could not be read
    note: str | None = None

    @property
    def label(self) -> str:
        """`<name>-<version>`: the layer's folder and logical id in the rendered template."""
        parts = self.arn.split(":")
        return f"{parts[6]}-{parts[7]}" if len(parts) >= 8 else parts[-1]


@dataclass(frozen=True, slots=True)
class Alias:
    name: str
    arn: str
    policy: Raw | None = None  # the alias's own resource policy (grants on `function:alias`)


@dataclass(frozen=True, slots=True)
class DeployedFunction:
    name: str
    arn: str
    configuration: Raw  # GetFunction's Configuration (runtime, handler, environment, role, layers, …)
    package: Package
    concurrency: int | None = None  # reserved concurrency, None when unset
    policy: Raw | None = None  # the resource policy document (lambda:GetPolicy)
    url: Raw | None = None  # GetFunctionUrlConfig
    mappings: tuple[Raw, ...] = ()  # event source mappings
    aliases: tuple[Alias, ...] = ()
    invoke_config: Raw | None = None  # GetFunctionEventInvokeConfig (async retries, destinations)
    image_uri: str | None = None
    layers: tuple[Layer, ...] = ()


@dataclass(frozen=True, slots=True)
class DeployedPolicy:
    """A managed policy attached to a role: its default version's document when it could be read."""

    arn: str
    name: str
    document: Raw | None = None

    @property
    def aws_managed(self) -> bool:
        return ":iam::aws:policy/" in self.arn


@dataclass(frozen=True, slots=True)
class DeployedRole:
    name: str
    arn: str
    trust: Raw | None = None
    inline: tuple[tuple[str, Raw], ...] = ()  # (policy name, document)
    attached: tuple[DeployedPolicy, ...] = ()
    boundary: str | None = None  # permissions boundary policy ARN


@dataclass(frozen=True, slots=True)
class RestApi:
    """An API Gateway REST API: its resources with their methods (each with its integration)."""

    api: Raw
    resources: tuple[Raw, ...] = ()  # GetResources items, methods embedded
    authorizers: tuple[Raw, ...] = ()
    stages: tuple[Raw, ...] = ()
    usage_plans: tuple[Raw, ...] = ()


@dataclass(frozen=True, slots=True)
class HttpApi:
    """An API Gateway v2 (HTTP or WebSocket) API."""

    api: Raw
    routes: tuple[Raw, ...] = ()
    integrations: tuple[Raw, ...] = ()
    authorizers: tuple[Raw, ...] = ()
    stages: tuple[Raw, ...] = ()


@dataclass(frozen=True, slots=True)
class EventRule:
    rule: Raw
    targets: tuple[Raw, ...] = ()


@dataclass(frozen=True, slots=True)
class RegionSnapshot:
    account: str
    region: str
    functions: tuple[DeployedFunction, ...] = ()
    roles: Mapping[str, DeployedRole] = field(default_factory=dict)  # role ARN → role
    rest_apis: tuple[RestApi, ...] = ()
    http_apis: tuple[HttpApi, ...] = ()
    rules: tuple[EventRule, ...] = ()
    subscriptions: tuple[Raw, ...] = ()  # SNS subscriptions whose endpoint is a function
    buckets: tuple[tuple[str, Raw], ...] = ()  # (bucket, notification configuration) with --with-s3
    log_retention: Mapping[str, int | None] = field(default_factory=dict)  # log group name → days (None: never)
