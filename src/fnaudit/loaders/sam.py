"""AWS SAM templates → App, through the official SAM → CloudFormation transform.

`aws-sam-translator` expands the template exactly as AWS does (Globals, policy templates, events,
implicit APIs, function URLs…); the CloudFormation reader then builds the App, and
`_cfn_samlines` maps every generated node back to the SAM line that produced it.

The translator runs offline. It only accepts S3 code locations, so local `CodeUri` /
`ContentUri` / `DefinitionUri` folders are swapped for `s3://fnaudit-local/<n>` placeholders first
and mapped back to the folders when the functions' code is resolved.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from fnaudit import cache
from fnaudit.errors import ScanError
from fnaudit.loaders._cfn_samlines import relabel
from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders.base import LoadOptions, LoadOutcome, SourceDoc
from fnaudit.loaders.cloudformation import LOCAL_BUCKET, LOCAL_IMAGE, BuildHints, build_app
from fnaudit.model.app import Dialect

# AWS managed policies whose ARN has a path; every other name is `arn:aws:iam::aws:policy/<name>`.
_SERVICE_ROLE_POLICIES = frozenset(
    {
        "AWSLambdaBasicExecutionRole",
        "AWSLambdaVPCAccessExecutionRole",
        "AWSLambdaRole",
        "AWSLambdaKinesisExecutionRole",
        "AWSLambdaDynamoDBExecutionRole",
        "AWSLambdaSQSQueueExecutionRole",
        "AWSLambdaMSKExecutionRole",
        "AWSLambdaENIManagementAccess",
        "AWSXrayWriteOnlyAccess",
        "AWSLambdaExecute",
        "AWSIoTRuleActions",
        "AWSAppSyncPushToCloudWatchLogs",
        "AmazonAPIGatewayPushToCloudWatchLogs",
    }
)
_NOT_SERVICE_ROLE = frozenset({"AWSXrayWriteOnlyAccess", "AWSLambdaExecute"})  # these live at the top level
_LOCAL_URI_PROPS = {
    "AWS::Serverless::Function": ("CodeUri",),
    "AWS::Serverless::LayerVersion": ("ContentUri",),
    "AWS::Serverless::Api": ("DefinitionUri",),
    "AWS::Serverless::HttpApi": ("DefinitionUri",),
    "AWS::Serverless::StateMachine": ("DefinitionUri",),
}


def load(doc: SourceDoc, root: ScanRoot, options: LoadOptions) -> LoadOutcome:
    data = doc.data
    if not isinstance(data, Mapping) or not isinstance(data.get("Resources"), Mapping):
        return LoadOutcome(errors=[ScanError(doc.rel, "not a SAM template: no `Resources` mapping", "load")])
    plain = _plain(data)
    local_code = _replace_local_uris(plain)
    translated, errors = _translate(doc.rel, plain, options)
    if translated is None:
        return LoadOutcome(errors=errors)
    relabelled = relabel(data, translated, doc.rel)
    hints = BuildHints(Dialect.SAM, relabelled.inherited, local_code, relabelled.route_auth)
    outcome = build_app(doc, root, options, relabelled.template, hints)
    outcome.errors[:0] = errors
    return outcome


def _translate(rel: str, template: dict[str, Any], options: LoadOptions) -> tuple[dict[str, Any] | None, list[ScanError]]:
    """The translated template, from the cache when this exact input was translated before.

    Translation is the slow part of reading SAM (the translator deep-copies the API definition for
    every event), and its output depends only on the template, the parameters, the region and the
    translator's version — all of which are in the key.
    """
    from importlib.metadata import version

    entry = cache.key(
        "sam",
        version("aws-sam-translator"),
        options.region,
        json.dumps(dict(options.params), sort_keys=True),
        json.dumps(template, sort_keys=True, default=str),
    )
    cached = cache.read_json("sam", entry)
    if isinstance(cached, dict) and isinstance(cached.get("template"), dict):
        return cached["template"], []
    out, errors = _run_translator(rel, template, options)
    if out is not None:
        cache.write_json("sam", entry, {"template": out})
    return out, errors


def _run_translator(rel: str, template: dict[str, Any], options: LoadOptions) -> tuple[dict[str, Any] | None, list[ScanError]]:
    # imported here: boto3 and the translator cost ~0.5 s and only SAM templates need them
    import logging

    import boto3
    from samtranslator.model.exceptions import InvalidDocumentException
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    # The translator logs "unpublished metrics" warnings meant for AWS's own service: not for our users.
    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    session = boto3.Session(region_name=options.region, aws_access_key_id="x", aws_secret_access_key="y")
    names = _managed_policy_names(template)
    try:
        out = Translator(None, Parser(), boto_session=session).translate(
            copy.deepcopy(template),  # the translator mutates its input
            dict(options.params),
            get_managed_policy_map=lambda: {n: _managed_policy_arn(n) for n in names},
        )
    except InvalidDocumentException as exc:
        causes = list(getattr(exc, "causes", ())) or [exc]
        return None, [ScanError(rel, f"invalid SAM template: {getattr(c, 'message', str(c))}", "load") for c in causes]
    except Exception as exc:  # the translator's own failures must not end the scan
        return None, [ScanError(rel, f"SAM translation failed: {type(exc).__name__}: {exc}", "load")]
    return out, []


def _managed_policy_arn(name: str) -> str:
    if name in _SERVICE_ROLE_POLICIES and name not in _NOT_SERVICE_ROLE:
        return f"arn:aws:iam::aws:policy/service-role/{name}"
    return f"arn:aws:iam::aws:policy/{name}"


def _managed_policy_names(template: Mapping[str, Any]) -> set[str]:
    """Every bare policy name written in a `Policies` property (functions and Globals)."""
    bodies: list[Any] = []
    resources = template.get("Resources")
    for res in resources.values() if isinstance(resources, Mapping) else ():
        if isinstance(res, Mapping) and isinstance(res.get("Properties"), Mapping):
            bodies.append(res["Properties"])
    globals_ = template.get("Globals")
    if isinstance(globals_, Mapping) and isinstance(globals_.get("Function"), Mapping):
        bodies.append(globals_["Function"])
    names: set[str] = set()
    for props in bodies:
        policies = props.get("Policies")
        for item in policies if isinstance(policies, list) else [policies]:
            if isinstance(item, str) and not item.startswith("arn:"):
                names.add(item)
    return names


def _replace_local_uris(template: dict[str, Any]) -> dict[str, str]:
    """Swap local folders for `s3://fnaudit-local/<n>`; return n → folder."""
    local: dict[str, str] = {}

    def swap(props: dict[str, Any], key: str) -> None:
        value = props.get(key)
        if isinstance(value, str) and not value.startswith(("s3://", "https://", "http://")):
            n = str(len(local))
            local[n] = value
            props[key] = f"s3://{LOCAL_BUCKET}/{n}"

    globals_ = template.get("Globals")
    gfn = globals_.get("Function") if isinstance(globals_, dict) else None
    if isinstance(gfn, dict):
        swap(gfn, "CodeUri")
    resources = template.get("Resources")
    for res in resources.values() if isinstance(resources, dict) else ():
        if not isinstance(res, dict) or not isinstance(res.get("Properties", {}), dict):
            continue
        rtype = res.get("Type")
        props = res.setdefault("Properties", {}) if rtype in _LOCAL_URI_PROPS else None
        if props is None:
            continue
        for key in _LOCAL_URI_PROPS[str(rtype)]:
            swap(props, key)
        if rtype == "AWS::Serverless::Function":
            _default_code(props, gfn if isinstance(gfn, dict) else {}, local)
    return local


def _default_code(props: dict[str, Any], gfn: dict[str, Any], local: dict[str, str]) -> None:
    """Fill what `sam build` would: code in the template's folder, an image URI for image functions."""
    package_type = props.get("PackageType", gfn.get("PackageType"))
    if package_type == "Image":
        props.setdefault("ImageUri", gfn.get("ImageUri", LOCAL_IMAGE))
        return
    if not any(k in props or k in gfn for k in ("CodeUri", "InlineCode")):
        n = str(len(local))
        local[n] = "."
        props["CodeUri"] = f"s3://{LOCAL_BUCKET}/{n}"


def _plain(value: Any) -> Any:
    """A plain dict/list copy of line-aware data (the translator checks `type(x) is dict` in places)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
