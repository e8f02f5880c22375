"""Zappa: `zappa_settings.json` becomes the app's function (its API routes) and one entry per event."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from fnaudit.errors import Loss
from fnaudit.loaders import LoadOptions, ScanRoot, load_all
from fnaudit.model.app import App, AuthKind, Dialect, TriggerKind
from fnaudit.model.loc import Loc

FIXTURE = Path(__file__).parents[1] / "rules" / "fixtures" / "CODE002" / "bad" / "zappa-blog"
SETTINGS = "zappa_settings.json"


def _load(target: Path, stage: str | None = None) -> tuple[list[App], list[tuple[str, str, Loss]]]:
    outcome, _ = load_all(target, ScanRoot.of(target), LoadOptions(stage=stage))
    return outcome.apps, [(e.path, e.message, e.loss) for e in outcome.errors]


def test_dev_stage_extends_base_and_yields_the_app_and_its_event_entries() -> None:
    apps, errors = _load(FIXTURE)
    assert errors == []
    (app,) = apps
    assert (app.name, app.dialect, app.framework, app.source) == ("blog-dev", Dialect.ZAPPA, "zappa", SETTINGS)
    assert [f.name for f in app.functions] == [
        "blog-dev",
        "blog-dev:blog.tasks.thumbnail",
        "blog-dev:blog.tasks.nightly",
    ]
    api, thumb, nightly = app.functions
    assert (api.handler.value, api.code.handler_file, api.code.handler_symbol) == ("blog.web.app", "blog/web.py", "app")
    assert [(t.kind, t.method, t.path, t.public, t.authorizer.kind) for t in api.triggers] == [
        (TriggerKind.API_REST, "ANY", "/", True, AuthKind.NONE),
        (TriggerKind.API_REST, "ANY", "/{proxy+}", True, AuthKind.NONE),
    ]
    assert (api.runtime.value, api.timeout.value, api.timeout.loc, api.tracing.value) == (
        "python3.12",
        60,
        Loc(SETTINGS, 11),
        "Active",
    )
    assert {k: v.value for k, v in api.environment.items()} == {"TABLE": "posts"}  # from `base`
    assert api.role is not None and api.role.id == "policy.json"
    assert [s.actions for s in api.role.statements] == [("dynamodb:*",)]
    assert [(t.kind, t.source, t.loc.line) for t in thumb.triggers] == [(TriggerKind.S3, "blog-uploads", 15)]
    assert [(t.kind, t.source) for t in nightly.triggers] == [(TriggerKind.SCHEDULE, "rate(1 day)")]
    assert (thumb.code.handler_file, thumb.code.handler_symbol, thumb.role) == ("blog/tasks.py", "thumbnail", None)


def test_another_stage_with_iam_authorization_and_a_missing_stage(tmp_path: Path) -> None:
    apps, _ = _load(FIXTURE, "prod")
    (fn,) = apps[0].functions
    assert (fn.name, [t.authorizer.kind for t in fn.triggers]) == ("blog-prod", [AuthKind.IAM, AuthKind.IAM])
    assert fn.role is None  # Zappa writes the role at deploy time: nothing to read
    apps, errors = _load(FIXTURE, "qa")
    assert apps[0].name == "blog-dev"
    assert errors == [(SETTINGS, "stage 'qa' is not in the Zappa settings; 'dev' read", Loss.PARTIAL)]


def test_settings_without_an_app_or_a_stage(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "a")
    settings = {"dev": {"django_settings": "blog.settings", "api_key_required": True}}
    (tmp_path / "a" / SETTINGS).write_text(json.dumps(settings, indent=1), encoding="utf-8")
    apps, errors = _load(tmp_path / "a")
    (fn,) = apps[0].functions
    assert (fn.code.in_repo, fn.code.note) == (False, "a Django project: its views are not analysed")
    assert [t.authorizer.kind for t in fn.triggers] == [AuthKind.API_KEY, AuthKind.API_KEY]
    assert errors == []
    (tmp_path / "a" / SETTINGS).write_text('{"dev": "nothing"}', encoding="utf-8")
    apps, errors = _load(tmp_path / "a")
    assert (apps, errors) == ([], [(SETTINGS, "Zappa settings name no stage", Loss.APP)])
