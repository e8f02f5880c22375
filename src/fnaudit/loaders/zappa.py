"""Zappa loader: `zappa_settings.json` (or `.yml`) → one `App`, one function per stage.

Zappa deploys a WSGI app (`app_function: "app.app"`: module `app`, object `app`) as one Lambda
function `PROJECT-STAGE` behind a REST API that sends every path (`ANY /`, `ANY /{proxy+}`) to it,
and runs the `events` (schedules, S3/SNS/SQS/DynamoDB/Kinesis sources) in the same function through
a dispatch on the event; each event's `function` is read here as an entry of its own
(`PROJECT-STAGE:module.function`) with that trigger, the role held by the app's entry only (it is one
function). One stage is read: `--stage` when the settings have it, else `dev`, else the first one;
`extends` copies the settings of the stage it names. Every value keeps the line it was read from.
Django projects (`django_settings`) are loaded with their API; their views are analysed from the settings'
`ROOT_URLCONF` when the settings module is in the repository.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fnaudit.errors import InputError, Loss, ScanError
from fnaudit.loaders import _layered as layered
from fnaudit.loaders._files import ScanRoot, read_text
from fnaudit.loaders._iam import document_statements
from fnaudit.loaders._yaml import load_json
from fnaudit.loaders.base import LoadOptions, LoadOutcome, SourceDoc
from fnaudit.loaders.handlers import resolve_code
from fnaudit.model.app import (
    App,
    AuthKind,
    Authorizer,
    Code,
    Dialect,
    Function,
    Role,
    Trigger,
    TriggerKind,
)
from fnaudit.model.loc import Loc, Origin, Ref, RefKind, Value

FRAMEWORK = "zappa"
_REST_TIMEOUT = 29
_MAX_EXTENDS = 10  # `extends` chains are short; a longer one is a cycle
# the service an event source's ARN names → the trigger Zappa subscribes the function with
_ARN_KINDS = {
    "s3": TriggerKind.S3,
    "sns": TriggerKind.SNS,
    "sqs": TriggerKind.SQS,
    "dynamodb": TriggerKind.DYNAMODB_STREAM,
    "kinesis": TriggerKind.KINESIS,
}


def load(doc: SourceDoc, root: ScanRoot, options: LoadOptions) -> LoadOutcome:
    out = LoadOutcome()
    data = doc.data if isinstance(doc.data, dict) else {}
    stages = [k for k, v in data.items() if isinstance(v, dict)]
    if not stages:
        out.errors.append(ScanError(doc.rel, "Zappa settings name no stage", "load", Loss.APP))
        return out
    stage: str = options.stage if options.stage and options.stage in stages else "dev" if "dev" in stages else stages[0]
    if options.stage and options.stage not in stages:
        out.errors.append(ScanError(doc.rel, f"stage {options.stage!r} is not in the Zappa settings; {stage!r} read"))
    reader = _Stage(doc, root, data, stage)
    out.apps.append(reader.app())
    out.errors.extend(reader.errors)
    return out


class _Stage:
    def __init__(self, doc: SourceDoc, root: ScanRoot, data: Mapping[str, Any], stage: str) -> None:
        self.doc = doc
        self.rel = doc.rel
        self.root = root
        self.stage = stage
        self.errors: list[ScanError] = []
        self.layers = self._chain(data, stage)  # most general first

    def _chain(self, data: Mapping[str, Any], stage: str) -> list[Mapping[str, Any]]:
        chain: list[Mapping[str, Any]] = []
        name: Any = stage
        while isinstance(name, str) and isinstance(data.get(name), dict) and len(chain) < _MAX_EXTENDS:
            if any(layer is data[name] for layer in chain):
                break
            chain.insert(0, data[name])
            name = data[name].get("extends")
        if isinstance(name, str) and name != stage and not isinstance(data.get(name), dict):
            self.errors.append(ScanError(self.rel, f"stage {stage!r} extends {name!r}, which is not a stage"))
        return chain

    def setting(self, key: str) -> tuple[Any, Loc] | None:
        return layered.setting(self.rel, self.layers, key)

    def _int(self, key: str, fallback: Loc) -> Value[int]:
        return layered.int_setting(self.rel, self.layers, key, fallback, self.errors)

    def _flag(self, key: str, default: bool) -> bool:
        found = self.setting(key)
        return found[0] if found is not None and isinstance(found[0], bool) else default

    def _environment(self) -> dict[str, Value[str]]:
        return layered.environment(self.rel, self.layers, ("environment_variables", "aws_environment_variables"))

    def _role(self, name: str) -> Role | None:
        arn = self.setting("role_arn")
        if arn is not None and isinstance(arn[0], str):
            return Role(id=arn[0], loc=arn[1], external=True)
        policy = self.setting("attach_policy")
        if policy is None or not isinstance(policy[0], str):
            # Zappa creates the role at deploy time with its own default policy: nothing written to read
            return None
        try:
            path = self.root.resolve_inside(self.doc.path.parent, policy[0])
            doc = load_json(read_text(path))
        except (InputError, OSError) as exc:
            self.errors.append(ScanError(self.rel, f"line {policy[1].line}: policy {policy[0]!r} not read: {exc}"))
            return Role(id=f"{name}-ZappaLambdaExecutionRole", loc=policy[1], name=f"{name}-ZappaLambdaExecutionRole")
        policy_rel = self.root.rel(path)
        statements = document_statements(doc, policy_rel, 1, policy[0])
        return Role(
            id=policy_rel, loc=Loc(policy_rel, 1), statements=statements, name=f"{name}-ZappaLambdaExecutionRole"
        )

    def _tracing(self, fallback: Loc) -> Value[str]:
        found = self.setting("xray_tracing")
        if found is None or not isinstance(found[0], bool):
            return Value.unset(fallback)
        return Value("Active" if found[0] else "PassThrough", found[1])

    def _runtime(self, fallback: Loc) -> Value[str]:
        found = self.setting("runtime")
        if found is not None and isinstance(found[0], str):
            return Value(found[0], found[1])
        return Value.unresolved(fallback, Ref(RefKind.OTHER, "the Python version of the interpreter deploying it"))

    def _code(self, target: str, where: Loc) -> Code:
        try:
            return resolve_code(self.root, self.doc.path.parent, target, "python3")  # `pkg.module.app`
        except InputError as exc:
            self.errors.append(ScanError(self.rel, f"line {where.line}: {exc}"))
            return Code("python", in_repo=False, note=str(exc))

    def _django_code(self, settings: object, where: Loc) -> Code:
        """A Django project: the code is its settings module, entered at `ROOT_URLCONF` (the code engine
        follows the urlconf to the views). A settings module not in the repository keeps the project dark."""
        folder = self.doc.path.parent
        if isinstance(settings, str) and folder.joinpath(*settings.split(".")).with_suffix(".py").is_file():
            return self._code(f"{settings}.ROOT_URLCONF", where)
        return Code("python", in_repo=False, note="a Django project: its views are not analysed")

    def _api_triggers(self, name: str, loc: Loc) -> tuple[Trigger, ...]:
        if not self._flag("apigateway_enabled", True):
            return ()
        auth = Authorizer.none(loc)
        if self._flag("iam_authorization", False):
            found = self.setting("iam_authorization")
            auth = Authorizer(AuthKind.IAM, found[1] if found else loc, Origin.SET)
        elif (custom := self.setting("authorizer")) is not None and isinstance(custom[0], dict):
            auth = Authorizer(AuthKind.LAMBDA, custom[1], Origin.SET, str(custom[0].get("function") or ""))
        key = self.setting("api_key_required")
        api_key = key is not None and key[0] is True
        if api_key and auth.kind is AuthKind.NONE and key is not None:
            auth = Authorizer(AuthKind.API_KEY, key[1], Origin.SET)
        private = str((self.setting("endpoint_configuration") or ("", loc))[0]).upper().find("PRIVATE") >= 0
        return tuple(
            Trigger(
                TriggerKind.API_REST,
                loc,
                auth,
                path=path,
                method="ANY",
                public=not private,
                api_key_required=api_key,
                api=f"{name}-api",
                integration_timeout=_REST_TIMEOUT,
            )
            for path in ("/", "/{proxy+}")
        )

    def app(self) -> App:
        folder = self.doc.path.parent
        project = self.setting("project_name")
        project_name = project[0] if project is not None and isinstance(project[0], str) else folder.name or "zappa"
        name = f"{project_name}-{self.stage}"
        target = self.setting("app_function")
        django = self.setting("django_settings")
        where = target[1] if target else django[1] if django else Loc(self.rel, 1)
        common: dict[str, Any] = {
            "runtime": self._runtime(where),
            "environment": self._environment(),
            "timeout": self._int("timeout_seconds", where),
            "memory": self._int("memory_size", where),
            "reserved_concurrency": self._int("reserved_concurrency", where),
            "role": self._role(name),
            "tracing": self._tracing(where),
            "framework": FRAMEWORK,
        }
        functions: list[Function] = []
        if target is not None and isinstance(target[0], str) and "." in target[0]:
            code = self._code(target[0], target[1])
            functions.append(
                self._function(name, name, where, target[0], code, self._api_triggers(name, where), common)
            )
        elif django is not None:
            code = self._django_code(django[0], where)
            functions.append(self._function(name, name, where, "django", code, self._api_triggers(name, where), common))
        for trigger, handler, loc in self._events():
            code = self._code(handler, loc)
            fn_name = f"{name}:{handler}"
            # the role is the deployed function's: held by the app's entry only, so that one function
            # is not reported as several sharing a role (the event code's SDK calls stay unattributed)
            entry = {**common, "role": None}
            functions.append(self._function(fn_name, name, loc, handler, code, (trigger,), entry))
        linked = tuple(functions)
        return App(
            name=name,
            dialect=Dialect.ZAPPA,
            root=self.root.rel(folder),
            source=self.rel,
            functions=linked,
            roles={f.role.id: f.role for f in linked if f.role is not None},
            framework=FRAMEWORK,
        )

    def _function(
        self,
        entry: str,
        deployed: str,
        loc: Loc,
        handler: str,
        code: Code,
        triggers: tuple[Trigger, ...],
        common: Mapping[str, Any],
    ) -> Function:
        del deployed  # every entry runs in the one deployed function; its name is the app's
        return Function(
            id=f"{self.rel}#{entry}",
            name=entry,
            loc=loc,
            handler=Value(handler, loc),
            code=code,
            triggers=triggers,
            **common,
        )

    def _events(self) -> list[tuple[Trigger, str, Loc]]:
        found = self.setting("events")
        if found is None or not isinstance(found[0], list):
            return []
        out = []
        events = found[0]
        for i, ev in enumerate(events):
            loc = Loc(self.rel, events.line_of(i) if hasattr(events, "line_of") else found[1].line)
            if not isinstance(ev, dict) or not isinstance(ev.get("function"), str):
                self.errors.append(ScanError(self.rel, f"line {loc.line}: a Zappa event without `function`; skipped"))
                continue
            source = ev.get("event_source")
            if isinstance(source, dict):
                arn = str(source.get("arn", ""))
                kind = _ARN_KINDS.get(arn.split(":")[2] if arn.count(":") >= 2 else "", TriggerKind.OTHER)
                trigger = Trigger(kind, loc, Authorizer.none(loc), source=arn.rsplit(":", 1)[-1] or None)
            else:
                trigger = Trigger(TriggerKind.SCHEDULE, loc, Authorizer.none(loc), source=str(ev.get("expression", "")))
            out.append((trigger, ev["function"], loc))
        return out
