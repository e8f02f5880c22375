"""AWS SAM templates → App, through the official SAM → CloudFormation transform.

`aws-sam-translator` expands the template exactly as AWS does (Globals, policy templates, events,
implicit APIs, function URLs…); the CloudFormation reader then builds the App, and
`_cfn_samlines` maps every generated node back to the SAM line that produced it.

The translator runs offline. It only accepts S3 code locations, so local `CodeUri` /
`ContentUri` / `DefinitionUri` folders are swapped for `s3://fnaudit-local/<n>` placeholders first
and mapped back to the folders when the functions' code is resolved.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from fnaudit import cache
from fnaudit.errors import Loss, ScanError
from fnaudit.loaders._cfn_include import inline_includes
from fnaudit.loaders._cfn_nested import APPLICATION as _APPLICATION
from fnaudit.loaders._cfn_nested import load_nested
from fnaudit.loaders._cfn_parts import type_problem
from fnaudit.loaders._cfn_samlines import relabel
from fnaudit.loaders._cfn_samraw import event_triggers, untranslated
from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders._intrinsics import Resolver
from fnaudit.loaders._sam_speed import boto_session, exact_deepcopy, translator_speedups, translator_version
from fnaudit.loaders._yaml import line_of
from fnaudit.loaders.base import LoadOptions, LoadOutcome, SourceDoc
from fnaudit.loaders.cloudformation import (
    LOCAL_BUCKET,
    LOCAL_IMAGE,
    BuildHints,
    build_app,
)
from fnaudit.model.app import App, AuthKind, Authorizer, Dialect, Trigger
from fnaudit.model.loc import Origin

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
# Resource attributes that hold names (DependsOn: one or a list); anything else crashes the translator.
_NAME_ATTRIBUTES = ("Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy")
_API_TYPES = ("AWS::Serverless::Api", "AWS::Serverless::HttpApi")
_CRASHED = "SAM translation failed: "  # how a translator crash (an exception it did not mean) is reported
_MAX_ISOLATED = 64  # resources translated one by one to find the one the translator crashes on
_MAX_TRANSLATIONS = 8  # rounds of leaving out rejected resources before the template is given up
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
        return LoadOutcome(errors=[ScanError(doc.rel, "not a SAM template: no `Resources` mapping", "load", Loss.APP)])
    included = inline_includes(doc, root)
    data = included.data
    plain = _plain(data)
    errors = [*included.errors, *_drop_unreadable(plain, data, doc.rel)]
    unknown_bodies = _drop_unknown_bodies(plain, included.unresolved)
    _stub_applications(plain)
    local_code = _replace_local_uris(plain)
    translated, problems = _translate_each(doc.rel, plain, data, options)
    errors.extend(problems)
    if translated is None:
        outcome = _untranslated(doc, root, options, data, plain, local_code, errors)
    else:
        relabelled = relabel(data, translated, doc.rel)
        hints = BuildHints(Dialect.SAM, relabelled.inherited, local_code, relabelled.route_auth)
        outcome = build_app(doc, root, options, relabelled.template, hints)
        outcome.errors[:0] = errors
    if unknown_bodies:
        outcome.apps = [_unknown_route_auth(app, unknown_bodies) for app in outcome.apps]
    outcome.consumed |= included.files
    load_nested(doc, root, options, outcome)
    return outcome


def _drop_unknown_bodies(plain: dict[str, Any], unresolved: set[tuple[str, str]]) -> set[str]:
    """Leave out the OpenAPI bodies of APIs whose `AWS::Include` is not local; return those APIs.

    The translator then builds the API from the functions' events, as if no body were written, so
    the routes are still seen; what the unseen body says about their authorizers is unknown."""
    out: set[str] = set()
    for lid, prop in unresolved:
        res = plain["Resources"].get(lid)
        if prop == "DefinitionBody" and isinstance(res, dict) and res.get("Type") in _API_TYPES:
            props = res.get("Properties")
            if isinstance(props, dict) and props.pop("DefinitionBody", None) is not None:
                out.add(lid)
    return out


def _unknown_route_auth(app: App, apis: set[str]) -> App:
    def fix(t: Trigger) -> Trigger:
        if t.api in apis and t.authorizer.kind is AuthKind.NONE:
            return replace(t, authorizer=Authorizer(AuthKind.UNKNOWN, t.loc, Origin.UNRESOLVED))
        return t

    functions = tuple(replace(f, triggers=tuple(fix(t) for t in f.triggers)) for f in app.functions)
    return replace(app, functions=functions)


def _stub_applications(plain: dict[str, Any]) -> None:
    """Replace each `AWS::Serverless::Application` by the nested stack it becomes, pointing nowhere.

    The translator resolves a SAR application by calling AWS (boto3, with whatever credentials the
    machine has). fnaudit never does: nested applications are read by `_cfn_nested` from the
    template as written, and the translator only sees a plain stack it passes through, so that
    `!GetAtt App.Outputs.X` elsewhere still names a resource."""
    for lid, res in plain["Resources"].items():
        if res.get("Type") != _APPLICATION:
            continue
        props = res.get("Properties")
        params = props.get("Parameters") if isinstance(props, dict) else None
        stack: dict[str, Any] = {"TemplateURL": f"https://{LOCAL_BUCKET}.invalid/{lid}"}
        if isinstance(params, dict):
            stack["Parameters"] = params
        res["Type"] = "AWS::CloudFormation::Stack"
        res["Properties"] = stack


def _untranslated(
    doc: SourceDoc,
    root: ScanRoot,
    options: LoadOptions,
    data: Mapping[str, Any],
    plain: dict[str, Any],
    local_code: dict[str, str],
    errors: list[ScanError],
) -> LoadOutcome:
    """The functions of a template the translator refused as a whole, read from the SAM itself.

    No function is lost to a translator failure: the app's loss becomes partial (events, policy
    templates and implicit APIs as far as they can be read without it), and an error says so."""
    functions = [lid for lid, res in plain["Resources"].items() if res.get("Type") == "AWS::Serverless::Function"]
    if not functions:
        return LoadOutcome(errors=errors)
    template, unexpanded = untranslated(plain, _managed_policy_arn)
    relabelled = relabel(data, template, doc.rel)
    hints = BuildHints(Dialect.SAM, relabelled.inherited, local_code, relabelled.route_auth)
    outcome = build_app(doc, root, options, relabelled.template, hints)
    resolver = Resolver(data, doc.rel, options.params, options.region)
    triggers = event_triggers(data, doc.rel, resolver.display)
    outcome.apps = [
        replace(app, functions=tuple(replace(f, triggers=tuple(triggers.get(f.name, ()))) for f in app.functions))
        for app in outcome.apps
    ]
    note = (
        f"the SAM translator cannot read this template, so its {len(functions)} function(s) were read without it "
        "(events as written, no implicit API, policy templates not expanded)"
    )
    if unexpanded:
        note += "; policy templates left out of the roles: " + ", ".join(
            f"{lid}: {', '.join(names)}" for lid, names in sorted(unexpanded.items())
        )
    lowered = [replace(e, loss=Loss.PARTIAL) if e.loss is Loss.APP else e for e in errors]
    outcome.errors[:0] = [*lowered, ScanError(doc.rel, note, "load", Loss.PARTIAL)]
    return outcome


def _drop_unreadable(plain: dict[str, Any], data: Mapping[str, Any], rel: str) -> list[ScanError]:
    """Remove resources whose body is not a mapping or whose `Type` is not a string, one error each.

    The translator (and our own pre-processing) hashes and compares types: a `Type: {}` would fail
    the whole template and lose its valid functions. Such a resource may have been a function.
    """
    resources = plain["Resources"]
    original = data["Resources"]
    errors: list[ScanError] = []
    for lid in list(resources):
        body = resources[lid]
        line = line_of(original, lid)
        if not lid.strip():
            problem, where = "a resource has an empty logical id", line
        elif not isinstance(body, dict):
            problem, where = f"resource {lid} is not a mapping", line
        elif not isinstance(body.get("Type"), str):
            problem = type_problem(lid, body.get("Type"))
            where = line_of(original.get(lid), "Type", line)
        else:
            errors.extend(_drop_bad_attributes(lid, body, original.get(lid), rel, line))
            continue
        del resources[lid]
        errors.append(ScanError(rel, f"line {where}: {problem}; skipped", "load", Loss.FUNCTION))
    return errors


def _drop_bad_attributes(lid: str, body: dict[str, Any], written: Any, rel: str, line: int) -> list[ScanError]:
    """Remove resource attributes that must be names but are not (the translator hashes them).

    The resource itself is kept: without a `Condition` it is read as always deployed, which is what
    a security scan should assume when it cannot tell.
    """
    errors: list[ScanError] = []
    for key in _NAME_ATTRIBUTES:
        value = body.get(key, "")
        names = value if key == "DependsOn" and isinstance(value, list) else [value]
        if all(isinstance(v, str) for v in names):
            continue
        del body[key]
        where = line_of(written, key, line)
        errors.append(ScanError(rel, f"line {where}: {key} of resource {lid} is not a name; ignored", "load"))
    return errors


def _translate_each(
    rel: str, plain: dict[str, Any], data: Mapping[str, Any], options: LoadOptions
) -> tuple[dict[str, Any] | None, list[ScanError]]:
    """Translate, leaving out the resources the translator rejects one by one.

    The translator refuses a whole template for one bad resource. When every reason it gives names
    a resource, those resources are reported (a function as a lost FUNCTION) and the rest is
    translated again; a template-level problem (Globals, Transform, ...) loses the APP. Each round
    drops at least one resource, so this ends; the bound only caps the time a hostile file costs.
    """
    errors: list[ScanError] = []
    original = data["Resources"]
    for _ in range(_MAX_TRANSLATIONS):
        if not plain["Resources"]:
            return None, errors  # every resource was left out, each with its error: nothing to translate
        translated, problems, culprits = _translate(rel, plain, options)
        if translated is None and not culprits and any(e.message.startswith(_CRASHED) for e in problems):
            crashed = _isolate_crash(rel, plain, options)
            if crashed:
                resources = plain["Resources"]
                for lid, why in sorted(crashed.items()):
                    rtype = resources[lid].get("Type")
                    loss = (
                        Loss.FUNCTION
                        if rtype in ("AWS::Serverless::Function", "AWS::Lambda::Function")
                        else Loss.PARTIAL
                    )
                    errors.append(
                        ScanError(
                            rel,
                            f"line {line_of(original, lid)}: the SAM translator cannot read resource {lid} ({why}); "
                            "resource skipped",
                            "load",
                            loss,
                        )
                    )
                    del resources[lid]
                continue
        if translated is not None or not culprits:
            return translated, errors + problems
        resources = plain["Resources"]
        for lid in sorted(culprits):
            rtype = resources[lid].get("Type") if isinstance(resources[lid], dict) else None
            loss = Loss.FUNCTION if rtype in ("AWS::Serverless::Function", "AWS::Lambda::Function") else Loss.PARTIAL
            why = "; ".join(e.message for e in problems if f"[{lid}]" in e.message)
            errors.append(ScanError(rel, f"line {line_of(original, lid)}: {why}; resource skipped", "load", loss))
            del resources[lid]
    return None, [*errors, ScanError(rel, "invalid SAM template: too many invalid resources", "load", Loss.APP)]


def _translate(
    rel: str, template: dict[str, Any], options: LoadOptions
) -> tuple[dict[str, Any] | None, list[ScanError], frozenset[str]]:
    """The translated template, from the cache when this exact input was translated before.

    Translation is the slow part of reading SAM (the translator deep-copies the API definition for
    every event), and its output depends only on the template, the parameters, the region and the
    translator's version — all of which are in the key.
    """
    if cache.cache_dir() is None:  # caching off: no key to make (it serialises the whole template)
        return _run_translator(rel, template, options)
    entry = cache.key(
        "sam",
        translator_version(),
        options.region,
        json.dumps(dict(options.params), sort_keys=True),
        json.dumps(template, sort_keys=True, default=str),
    )
    cached = cache.read_json("sam", entry)
    if isinstance(cached, dict) and isinstance(cached.get("template"), dict):
        return cached["template"], [], frozenset()
    out, errors, culprits = _run_translator(rel, template, options)
    if out is not None:
        cache.write_json("sam", entry, {"template": out})
    return out, errors, culprits


def _run_translator(
    rel: str, template: dict[str, Any], options: LoadOptions
) -> tuple[dict[str, Any] | None, list[ScanError], frozenset[str]]:
    """The translated template, or the errors (an APP loss) and, when every error names a resource
    of the template, those resources' logical ids."""
    # imported here: boto3 and the translator cost ~0.5 s and only SAM templates need them
    import logging

    from samtranslator.model.exceptions import (
        InvalidDocumentException,
        InvalidResourceException,
    )
    from samtranslator.parser.parser import Parser
    from samtranslator.translator.translator import Translator

    # The translator logs "unpublished metrics" warnings meant for AWS's own service, and tracebacks
    # of its plugins' failures, which become error entries here: neither is for our users' terminal.
    logging.getLogger("samtranslator").setLevel(logging.CRITICAL)
    session = boto_session(options.region)
    names = _managed_policy_names(template)
    try:
        with translator_speedups():
            out = Translator(None, Parser(), boto_session=session).translate(
                exact_deepcopy(template),  # the translator mutates its input
                dict(options.params),
                get_managed_policy_map=lambda: {n: _managed_policy_arn(n) for n in names},
            )
    except InvalidDocumentException as exc:
        causes = list(getattr(exc, "causes", ())) or [exc]
        errors = [
            ScanError(rel, f"invalid SAM template: {getattr(c, 'message', str(c))}", "load", Loss.APP) for c in causes
        ]
        # `_logical_id` is the translator's own record of the resource an error is about (a list
        # for errors about several); anything else is about the template as a whole.
        named = [getattr(c, "_logical_id", None) if isinstance(c, InvalidResourceException) else None for c in causes]
        resources = template.get("Resources", {})
        if all(isinstance(n, str) and n in resources for n in named):
            return None, errors, frozenset(n for n in named if isinstance(n, str))
        return None, errors, frozenset()
    except Exception as exc:  # noqa: BLE001 — the translator's own failures must not end the scan
        return None, [ScanError(rel, f"{_CRASHED}{type(exc).__name__}: {exc}", "load", Loss.APP)], frozenset()
    return out, [], frozenset()


def _isolate_crash(rel: str, template: dict[str, Any], options: LoadOptions) -> dict[str, str]:
    """The resources the translator crashes on (not rejects) when given alone, with the reason.

    A crash names no resource. Translating each resource on its own (with the template's Globals,
    Parameters and Conditions) finds the ones that cause it, so that they alone are left out.
    """
    resources = template["Resources"]
    if len(resources) > _MAX_ISOLATED:
        return {}
    found: dict[str, str] = {}
    for lid, body in resources.items():
        alone = {**template, "Resources": {lid: body}}
        _, errors, _ = _run_translator(rel, alone, options)
        crash = next((e.message for e in errors if e.message.startswith(_CRASHED)), None)
        if crash is not None:
            found[lid] = crash.removeprefix(_CRASHED)
    if len(resources) > 1 and len(found) == len(resources):
        return {}  # every resource crashes alone: the cause is template-wide (Globals, Conditions), the app is lost
    return found


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
