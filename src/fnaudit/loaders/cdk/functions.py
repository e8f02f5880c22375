"""Lambda function constructs → `AWS::Lambda::Function` (and the role CDK makes for each)."""

from __future__ import annotations

import posixpath
import re
from typing import Any

from fnaudit.loaders._yaml import LDict
from fnaudit.loaders.cdk.grants import GRANTS
from fnaudit.loaders.cdk.lowering import BASIC_EXECUTION, Out, arn_of
from fnaudit.loaders.cdk.values import Construct, Made, ObjV, PathV, Sym, Unknown
from fnaudit.loaders.cloudformation import LOCAL_BUCKET

_RUNTIME = re.compile(r"^(PYTHON|NODEJS|JAVA|DOTNET|RUBY|GO|PROVIDED)(?:_(.+))?$")
RETENTION_DAYS = {
    "ONE_DAY": 1,
    "THREE_DAYS": 3,
    "FIVE_DAYS": 5,
    "ONE_WEEK": 7,
    "TWO_WEEKS": 14,
    "ONE_MONTH": 30,
    "TWO_MONTHS": 60,
    "THREE_MONTHS": 90,
    "FOUR_MONTHS": 120,
    "FIVE_MONTHS": 150,
    "SIX_MONTHS": 180,
    "ONE_YEAR": 365,
    "THIRTEEN_MONTHS": 400,
    "EIGHTEEN_MONTHS": 545,
    "TWO_YEARS": 731,
    "FIVE_YEARS": 1827,
    "TEN_YEARS": 3653,
}


def runtime_name(value: Any) -> Any:
    """`Runtime.PYTHON_3_12` → `python3.12`, `NODEJS_18_X` → `nodejs18.x`, `PROVIDED_AL2023` → `provided.al2023`."""
    if not isinstance(value, Sym) or ".Runtime." not in f".{value.path}":
        return value
    m = _RUNTIME.match(value.last)
    if m is None or (m.group(2) or "").endswith("LATEST"):
        return Unknown(value.path, "a runtime CDK picks when the app is synthesised")
    family, version = m.group(1).lower(), (m.group(2) or "").lower()
    if family == "provided":
        return f"provided.{version}" if version else "provided"
    if family == "dotnet" and version.startswith("core_"):
        return "dotnetcore" + version[5:].replace("_", ".")
    return family + version.replace("_", ".")


def asset_folder(value: Any, app_dir: str) -> str | None:
    """The folder (relative to the scan root) an asset path names: a plain path is relative to the app's
    folder (CDK runs from the folder of `cdk.json`); `path.join(__dirname, ...)` to the file's."""
    if isinstance(value, PathV):
        return value.rel
    if isinstance(value, str):
        return posixpath.normpath(posixpath.join(app_dir, value))
    return None


def lower_function(out: Out, kind: str, c: Construct, props: ObjV, app_dir: str, base: str) -> None:
    rel = c.rel
    p = out.new_props(rel, c.line)
    name = props.get("functionName")
    if name is not None:
        out.put(p, "FunctionName", name, rel, props.line_of("functionName"))
    runtime = props.get("runtime")
    if runtime is not None:
        out.put(p, "Runtime", runtime_name(runtime), rel, props.line_of("runtime"))
    handler = props.get("handler")
    if kind == "function":
        if handler is not None:
            out.put(p, "Handler", handler, rel, props.line_of("handler"))
        _code(out, p, props.get("code"), props.line_of("code"), rel, app_dir, base)
    elif kind == "nodejs":
        _nodejs(out, p, c, props, app_dir, base)
        if runtime is None:
            out.put(
                p, "Runtime", Unknown("NodejsFunction default runtime", "the Node.js runtime CDK picks"), rel, c.line
            )
    elif kind == "python":
        entry = asset_folder(props.get("entry"), app_dir)
        index = props.get("index") if isinstance(props.get("index"), str) else "index.py"
        fn = handler if isinstance(handler, str) else "handler"
        out.put(p, "Handler", f"{posixpath.splitext(index)[0].replace('/', '.')}.{fn}", rel, props.line_of("index"))
        if entry is not None:
            _local(out, p, entry, rel, props.line_of("entry"), base)
    elif kind == "go":
        # GoFunction: `entry` is a folder or a `.go` file of the main package; Lambda runs `bootstrap`
        entry = asset_folder(props.get("entry"), app_dir)
        p["Handler"] = "bootstrap"
        p.key_lines["Handler"] = p.line
        if runtime is None:
            out.put(p, "Runtime", Unknown("GoFunction default runtime", "the provided runtime CDK picks"), rel, c.line)
        if entry is not None:
            folder = posixpath.dirname(entry) if entry.endswith(".go") else entry
            _local(out, p, folder, rel, props.line_of("entry"), base)
    elif kind == "image":
        p["PackageType"] = "Image"
        code = props.get("code")
        what = code.args[0] if isinstance(code, Made) and code.args and isinstance(code.args[0], str) else "image"
        out.put(
            p,
            "Code",
            # text, not a parameter: the coverage note reads "container image built by CDK from <folder>..."
            {"ImageUri": f"built by CDK from {what}; code not read"},
            rel,
            props.line_of("code"),
        )
    for key, cfn in (("memorySize", "MemorySize"), ("reservedConcurrentExecutions", "ReservedConcurrentExecutions")):
        if props.get(key) is not None:
            out.put(p, cfn, props.get(key), rel, props.line_of(key))
    timeout = props.get("timeout")
    if timeout is not None:
        out.put(p, "Timeout", timeout, rel, props.line_of("timeout"))
    env = props.get("environment")
    if env is not None:
        at = props.line_of("environment")
        environment = out.new_props(rel, at)
        environment["Variables"] = out.cfn(env, rel, at)
        environment.key_lines["Variables"] = out.v(rel, at)
        p["Environment"] = environment
        p.key_lines["Environment"] = out.v(rel, at)
    tracing = props.get("tracing")
    if isinstance(tracing, Sym):
        mode = {"ACTIVE": "Active", "PASS_THROUGH": "PassThrough"}.get(tracing.last)
        if mode:
            out.put(
                p,
                "TracingConfig",
                ObjV({"Mode": (mode, props.line_of("tracing"))}, props.line_of("tracing")),
                rel,
                props.line_of("tracing"),
            )
    role = props.get("role")
    if role is None:
        role = out.role(c.path + "/ServiceRole", rel, c.line)
        out.managed_policy(role, BASIC_EXECUTION, rel, c.line)
        p["Role"] = {"Fn::GetAtt": [role.path, "Arn"]}
        p.key_lines["Role"] = p.line
    else:
        out.put(
            p,
            "Role",
            {"Fn::GetAtt": [role.path, "Arn"]} if isinstance(role, Construct) and role.kind == "role" else role,
            rel,
            props.line_of("role"),
        )
    c.data["role"] = role
    out.add(c.path, "AWS::Lambda::Function", p, rel, c.line)
    retention = props.get("logRetention")
    if isinstance(retention, Sym) and retention.last in RETENTION_DAYS:
        at = props.line_of("logRetention")
        group = out.new_props(rel, at)
        group["LogGroupName"] = f"/aws/lambda/{c.path}"
        out.put(group, "RetentionInDays", RETENTION_DAYS[retention.last], rel, at)
        out.add(c.path + "/LogRetention", "AWS::Logs::LogGroup", group, rel, at)
    for stmt in props.get("initialPolicy") or []:
        if isinstance(stmt, LDict):
            out.statement(role, stmt)
    _runtime_options(out, p, c, props)
    async_invoke(out, c, props, rel)


_ARCHITECTURES = {"ARM_64": "arm64", "X86_64": "x86_64"}


def _runtime_options(out: Out, p: LDict, c: Construct, props: ObjV) -> None:
    """`architecture`, `layers`, `deadLetterQueue` / `deadLetterQueueEnabled` and `logGroup`, each at its line."""
    rel = c.rel
    arch = props.get("architecture")
    if isinstance(arch, Sym) and arch.last in _ARCHITECTURES:
        out.put(p, "Architectures", [_ARCHITECTURES[arch.last]], rel, props.line_of("architecture"))
    layers = props.get("layers")
    if isinstance(layers, list):
        out.put(p, "Layers", [arn_of(x) for x in layers], rel, props.line_of("layers"))
    queue = props.get("deadLetterQueue")
    if queue is None and props.get("deadLetterQueueEnabled") is True:
        # CDK makes the queue itself (`<function>/DeadLetterQueue`, 14 days' retention)
        at = props.line_of("deadLetterQueueEnabled")
        made = out.new_props(rel, at)
        made["MessageRetentionPeriod"] = 1209600
        out.add(c.path + "/DeadLetterQueue", "AWS::SQS::Queue", made, rel, at)
        queue = Construct("queue", c.path + "/DeadLetterQueue", rel, at)
    if queue is not None:
        at = props.line_of("deadLetterQueue") if "deadLetterQueue" in props.items else queue.line
        out.put(p, "DeadLetterConfig", {"TargetArn": arn_of(queue)}, rel, at)
        # CDK lets the function's role send to its dead-letter queue
        _grant_role(out, c, ["sqs:SendMessage"], queue, rel, at)
    group = props.get("logGroup")
    if group is not None:
        out.put(p, "LoggingConfig", {"LogGroup": group}, rel, props.line_of("logGroup"))


# the kind of a destination's target → the grant CDK makes on the function's role for it
_DESTINATION_GRANTS = {
    "queue": ("queue", "grantSendMessages"),
    "topic": ("topic", "grantPublish"),
    "function": ("function", "grantInvoke"),
}


def _grant_role(out: Out, fn: Construct, actions: list[str], target: Any, rel: str, line: int) -> None:
    """A statement CDK adds on the function's own role (a role given as an imported one is not in the scan:
    nothing to add it to, and nothing to say)."""
    role = fn.data.get("role")
    if isinstance(role, Construct) and role.kind == "role" and not role.data.get("imported"):
        out.statement(role, out.allow(actions, [arn_of(target)], rel, line))


def async_invoke(out: Out, c: Construct, props: ObjV, rel: str) -> None:
    """`onFailure` / `onSuccess` destinations (`new SqsDestination(q)`...), `retryAttempts`, `maxEventAge`:
    props of the function or of `fn.configureAsyncInvoke({...})` → its `AWS::Lambda::EventInvokeConfig`."""
    keys = ("onFailure", "onSuccess", "retryAttempts", "maxEventAge")
    if not any(k in props.items for k in keys):
        return
    p = out.new_props(rel, props.line)
    p["FunctionName"] = {"Ref": c.path}
    p["Qualifier"] = "$LATEST"
    p.key_lines.update({"FunctionName": p.line, "Qualifier": p.line})
    dest = LDict(p.line)
    for key, cfn in (("onFailure", "OnFailure"), ("onSuccess", "OnSuccess")):
        target = props.get(key)
        if target is None:
            continue
        arn = target.args[0] if isinstance(target, Made) and target.args else target
        grant = GRANTS.get(_DESTINATION_GRANTS.get(arn.kind, ("", ""))) if isinstance(arn, Construct) else None
        if grant is not None:  # `SqsDestination(q)`: CDK grants the function's role the sending, at the prop
            _grant_role(out, c, list(grant.actions), arn, rel, props.line_of(key))
        item = out.new_props(rel, props.line_of(key))
        item["Destination"] = out.cfn(arn_of(arn), rel, props.line_of(key))
        item.key_lines["Destination"] = item.line
        dest[cfn] = item
        dest.key_lines[cfn] = item.line
    if dest:
        p["DestinationConfig"] = dest
        p.key_lines["DestinationConfig"] = p.line
    if props.get("retryAttempts") is not None:
        out.put(p, "MaximumRetryAttempts", props.get("retryAttempts"), rel, props.line_of("retryAttempts"))
    if props.get("maxEventAge") is not None:
        out.put(p, "MaximumEventAgeInSeconds", props.get("maxEventAge"), rel, props.line_of("maxEventAge"))
    out.add(c.path + "/EventInvokeConfig", "AWS::Lambda::EventInvokeConfig", p, rel, props.line)


def _code(out: Out, p: LDict, code: Any, line: int, rel: str, app_dir: str, base: str) -> None:
    if not isinstance(code, Made):
        if code is not None:
            out.put(p, "Code", {"S3Bucket": "cdk-asset", "S3Key": code}, rel, line)
        return
    arg = code.args[0] if code.args else None
    if code.sym.endswith(("Code.fromAsset", "AssetCode")):  # `new AssetCode(p)` is `Code.fromAsset(p)`
        folder = asset_folder(arg, app_dir)
        if folder is not None:
            _local(out, p, folder, rel, line, base)
            return
    if code.sym.endswith("Code.fromInline") and isinstance(arg, str):
        out.put(p, "Code", {"ZipFile": arg}, rel, line)
        return
    out.put(
        p, "Code", {"S3Bucket": "cdk-asset", "S3Key": Unknown(code.sym, "code the loader does not read")}, rel, line
    )


def _local(out: Out, p: LDict, folder: str, rel: str, line: int, base: str) -> None:
    key = f"cdk/{len(out.local_code)}"
    out.local_code[key] = _relative(folder, base)
    out.put(p, "Code", {"S3Bucket": LOCAL_BUCKET, "S3Key": key}, rel, line)


def _nodejs(out: Out, p: LDict, c: Construct, props: ObjV, app_dir: str, base: str) -> None:
    """`entry` (default: `<defining file>.<id>.ts` beside it) and `handler` (default `handler`)."""
    rel = c.rel
    entry = asset_folder(props.get("entry"), app_dir)
    if entry is None and props.get("entry") is None:
        stem = posixpath.splitext(c.rel)[0]
        entry = f"{stem}.{c.path.rsplit('/', 1)[-1]}.ts"
    handler = props.get("handler")
    fn = handler if isinstance(handler, str) else "handler"
    if entry is None:
        out.put(p, "Handler", Unknown("NodejsFunction entry", "an entry file only running the app gives"), rel, c.line)
        return
    folder, name = posixpath.split(entry)
    out.put(p, "Handler", f"{posixpath.splitext(name)[0]}.{fn}", rel, props.line_of("entry"))
    _local(out, p, folder or ".", rel, props.line_of("entry"), base)


def _relative(path: str, base: str) -> str:
    return posixpath.relpath(path or ".", base or ".")
