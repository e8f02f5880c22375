"""AWS Chalice loader: `.chalice/config.json` + `app.py` → one `App`.

Chalice deploys every `@app.route` in one Lambda function (`APP_NAME-STAGE`, handler `app.app`)
behind a REST API, and each event decorator (`@app.on_sqs_message`, `@app.schedule`, …),
`@app.lambda_function` and `@app.authorizer` as a function of its own (`APP_NAME-STAGE-NAME`).
`app.py` is read with `ast` and never imported. Settings come from config.json: top-level keys,
overridden by the stage (`--stage`, else `dev`), overridden by `lambda_functions.<name>` of either;
every value keeps the line it was read from.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from fnaudit.errors import InputError, Loss, ScanError
from fnaudit.loaders import _layered as layered
from fnaudit.loaders._chalice_code import EVENT_DECORATORS, ChaliceApp, EventDecl, read_app
from fnaudit.loaders._files import ScanRoot, read_text
from fnaudit.loaders._iam import document_statements
from fnaudit.loaders._yaml import load_json
from fnaudit.loaders.base import LoadOptions, LoadOutcome, SourceDoc
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
    link_shared_roles,
)
from fnaudit.model.loc import Loc, Origin, Ref, RefKind, Value

FRAMEWORK = "chalice"
API_HANDLER = "api_handler"  # the key Chalice uses under `lambda_functions` for the API function
_REST_TIMEOUT = 29  # API Gateway REST integrations wait at most 29 s


def load(doc: SourceDoc, root: ScanRoot, options: LoadOptions) -> LoadOutcome:
    out = LoadOutcome()
    project = doc.path.parent.parent
    app_path = project / "app.py"
    app_rel = root.rel(app_path)
    if not root.contains(app_path):
        out.errors.append(ScanError(app_rel, "app.py is outside the scanned folder; not read", "load", Loss.APP))
        return out
    try:
        tree = ast.parse(read_text(app_path), filename=app_rel)
    except (InputError, OSError, SyntaxError, ValueError) as exc:
        out.errors.append(ScanError(app_rel, f"cannot read the Chalice app: {exc}", "load", Loss.APP))
        return out
    decl = read_app(tree)
    if decl is None:
        out.errors.append(ScanError(app_rel, "no `Chalice(app_name=…)` app found", "load", Loss.APP))
        return out
    data = doc.data if isinstance(doc.data, dict) else {}
    reader = _Config(doc, root, data, options.stage or "dev")
    out.apps.append(reader.app(decl, root.rel(project), app_rel))
    out.errors.extend(reader.errors)
    return out


class _Config:
    """The settings of one stage, as layers from the most general to the most specific."""

    def __init__(self, doc: SourceDoc, root: ScanRoot, data: Mapping[str, Any], stage: str) -> None:
        self.doc = doc
        self.rel = doc.rel
        self.root = root
        self.data = data
        self.stage = stage
        self.errors: list[ScanError] = []
        stages = data.get("stages")
        stage_data = stages.get(stage) if isinstance(stages, dict) else None
        if stages is not None and stage_data is None:
            self.errors.append(
                ScanError(self.rel, f"stage {stage!r} is not in `stages`; top-level settings only", "load", Loss.NONE)
            )
        self.stage_data: Mapping[str, Any] = stage_data if isinstance(stage_data, dict) else {}

    def layers(self, function: str) -> Iterator[Mapping[str, Any]]:
        """Top level, its `lambda_functions.<function>`, the stage, the stage's `lambda_functions.<function>`."""
        for level in (self.data, self.stage_data):
            yield level
            per_fn = level.get("lambda_functions")
            if isinstance(per_fn, dict) and isinstance(per_fn.get(function), dict):
                yield per_fn[function]

    def setting(self, function: str, key: str) -> tuple[Any, Loc] | None:
        return layered.setting(self.rel, tuple(self.layers(function)), key)

    def int_setting(self, function: str, key: str, fallback: Loc) -> Value[int]:
        return layered.int_setting(self.rel, tuple(self.layers(function)), key, fallback, self.errors)

    def environment(self, function: str) -> dict[str, Value[str]]:
        return layered.environment(self.rel, tuple(self.layers(function)), ("environment_variables",))

    def runtime(self, function: str, fallback: Loc) -> Value[str]:
        # Chalice deploys with the Python version of the interpreter that runs `chalice deploy`:
        # nothing in the project says which, so it is unresolved unless a (newer) config names it.
        found = self.setting(function, "runtime")
        if found is not None and isinstance(found[0], str):
            return Value(found[0], found[1])
        return Value.unresolved(fallback, Ref(RefKind.OTHER, "the Python version of the interpreter deploying it"))

    def role(self, function: str, name: str) -> Role | None:
        manage = self.setting(function, "manage_iam_role")
        if manage is not None and manage[0] is False:
            arn = self.setting(function, "iam_role_arn")
            if arn is not None and isinstance(arn[0], str):
                return Role(id=arn[0], loc=arn[1], external=True)
            self.errors.append(
                ScanError(self.rel, f"line {manage[1].line}: `manage_iam_role` is false but no `iam_role_arn`", "load")
            )
            return None
        autogen = self.setting(function, "autogen_policy")
        policy_file = self.setting(function, "iam_policy_file")
        if policy_file is None and (autogen is None or autogen[0] is not False):
            # Chalice writes the policy at deploy time from the SDK calls it sees in the code: there is
            # no written role to read (the code engine's SDK calls say what it will hold).
            return None
        file_name = policy_file[0] if policy_file is not None and isinstance(policy_file[0], str) else None
        file_name = file_name or f"policy-{self.stage}.json"
        where = policy_file[1] if policy_file is not None else (autogen[1] if autogen else Loc(self.rel))
        return self._policy_role(file_name, where, name)

    def _policy_role(self, file_name: str, where: Loc, name: str) -> Role | None:
        try:
            path = self.root.resolve_inside(self.doc.path.parent, file_name)
            text = read_text(path)
            doc = load_json(text)
        except (InputError, OSError) as exc:
            self.errors.append(
                ScanError(self.rel, f"line {where.line}: policy file {file_name!r} not read: {exc}", "load")
            )
            return Role(id=f"{name}-role", loc=where, name=f"{name}-role")
        policy_rel = self.root.rel(path)
        statements = document_statements(doc, policy_rel, 1, file_name)
        return Role(id=policy_rel, loc=Loc(policy_rel, 1), statements=statements, name=f"{name}-role")

    def private_api(self) -> bool:
        found = self.setting(API_HANDLER, "api_gateway_endpoint_type")
        return found is not None and str(found[0]).upper() == "PRIVATE"

    # ---- the app ---------------------------------------------------------------------------

    def app(self, decl: ChaliceApp, project_rel: str, app_rel: str) -> App:
        app_name = decl.app_name or (self.data.get("app_name") if isinstance(self.data.get("app_name"), str) else None)
        name = str(app_name or Path(project_rel).name or "chalice-app")
        code_root = project_rel
        functions: list[Function] = []
        if decl.routes:
            functions.append(self._api_function(decl, name, code_root, app_rel))
        for ev in decl.events:
            functions.append(self._event_function(ev, name, code_root, app_rel))
        linked = link_shared_roles(tuple(functions))
        roles = {f.role.id: f.role for f in linked if f.role is not None}
        return App(
            name=name,
            dialect=Dialect.CHALICE,
            root=project_rel,
            source=self.rel,
            functions=linked,
            roles=roles,
            framework=FRAMEWORK,
        )

    def _function(
        self, key: str, deployed: str, loc: Loc, handler: str, symbol: str, code_root: str, app_rel: str
    ) -> dict[str, Any]:
        """Keyword arguments shared by the API function and the event functions."""
        return {
            "id": f"{self.rel}#{deployed}",
            "name": deployed,
            "loc": loc,
            "runtime": self.runtime(key, loc),
            "handler": Value(handler, loc),
            "code": Code("python", True, root=code_root, handler_file=app_rel, handler_symbol=symbol),
            "environment": self.environment(key),
            "timeout": self.int_setting(key, "lambda_timeout", loc),
            "memory": self.int_setting(key, "lambda_memory_size", loc),
            "reserved_concurrency": self.int_setting(key, "reserved_concurrency", loc),
            "role": self.role(key, deployed),
            "framework": FRAMEWORK,
        }

    def _api_function(self, decl: ChaliceApp, name: str, code_root: str, app_rel: str) -> Function:
        public = not self.private_api()
        triggers = []
        for r in decl.routes:
            loc = Loc(app_rel, r.line)
            if r.auth is AuthKind.NONE and r.api_key_required:
                auth = Authorizer(AuthKind.API_KEY, loc, Origin.SET)
            elif r.auth is AuthKind.NONE:
                auth = Authorizer.none(loc)
            else:
                auth = Authorizer(r.auth, loc, Origin.SET, r.auth_name)
            for method in r.methods:
                triggers.append(
                    Trigger(
                        TriggerKind.API_REST,
                        loc,
                        auth,
                        path=r.path,
                        method=method,
                        public=public,
                        api_key_required=r.api_key_required,
                        api=f"{name}-api",
                        integration_timeout=_REST_TIMEOUT,
                    )
                )
        deployed = f"{name}-{self.stage}"
        loc = Loc(app_rel, decl.line)
        kwargs = self._function(API_HANDLER, deployed, loc, f"app.{decl.var}", decl.var, code_root, app_rel)
        return Function(triggers=tuple(triggers), **kwargs)

    def _event_function(self, ev: EventDecl, name: str, code_root: str, app_rel: str) -> Function:
        loc = Loc(app_rel, ev.line)
        kind = EVENT_DECORATORS.get(ev.decorator, (None, None))[0]
        triggers: tuple[Trigger, ...] = ()
        if kind is not None:
            triggers = (Trigger(kind, loc, Authorizer.none(loc), source=ev.source),)
        deployed = f"{name}-{self.stage}-{ev.name}"
        kwargs = self._function(ev.name, deployed, loc, f"app.{ev.handler}", ev.handler, code_root, app_rel)
        return Function(triggers=triggers, **kwargs)
