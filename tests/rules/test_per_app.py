"""rules/_per_app.PerApp: one answer per app, by identity."""

from __future__ import annotations

from dataclasses import replace

from fnaudit.model.app import App, Dialect
from fnaudit.rules._per_app import PerApp


def test_an_answer_is_computed_once_per_app_and_again_for_another() -> None:
    calls: list[str] = []

    def compute(app: App) -> str:
        calls.append(app.name)
        return app.name.upper()

    memo = PerApp(compute)
    one = App("one", Dialect.SERVERLESS, "", "one/serverless.yml", ())
    equal = replace(one)  # equal but not the same object: asked again (identity, never equality)
    assert [memo(one), memo(one), memo(equal), memo(one)] == ["ONE"] * 4
    assert calls == ["one", "one", "one"]
