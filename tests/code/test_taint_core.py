"""The language-neutral taint core (`fnaudit.engines.code.taint`): the operations every front end uses."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.engines.code import ir
from fnaudit.engines.code.taint.responses import ResponseSink, response_sinks
from fnaudit.engines.code.taint.secrets import env_read, is_secret_name
from fnaudit.engines.code.taint.summaries import apply_events, bind_arguments, returned
from fnaudit.engines.code.taint.values import (
    ALL,
    EMPTY,
    SECRET,
    Ref,
    Summary,
    Val,
    join_branches,
    merge_envs,
    sanitise,
)
from fnaudit.model.code import Step
from fnaudit.model.loc import Loc
from tests.code.helpers import run, write_app

LOC = Loc("app.py", 3)
STEP = Step(LOC, "passed to f()")


def _val(root: int, *path: str) -> Val:
    return {Ref(root, path): ()}


def test_bind_arguments_lines_up_receiver_positionals_and_keywords() -> None:
    args = bind_arguments(["self", "a", "b", "c"], [_val(0, "x")], {"c": _val(1)}, _val(2), STEP)
    assert args == [{Ref(2): (STEP,)}, {Ref(0, ("x",)): (STEP,)}, EMPTY, {Ref(1): (STEP,)}]


def test_bind_arguments_fresh_object_and_plain_function() -> None:
    assert bind_arguments(["self", "a"], [_val(0)], {}, EMPTY, STEP) == [EMPTY, {Ref(0): (STEP,)}]
    assert bind_arguments(["a"], [_val(0), _val(1)], {"zz": _val(2)}, None, STEP) == [{Ref(0): (STEP,)}]


def test_summary_instantiated_at_a_call() -> None:
    callee = Summary(["q"], ret={Ref(0, ("name",)): ()})
    callee.record(ir.SQL, "db.execute", Loc("lib.py", 7), {Ref(0, ("id",)): ()})
    callee.record(ir.SQL, "db.execute", Loc("lib.py", 8), EMPTY)  # no value: not an event
    caller = Summary(["event"])
    args = [{Ref(0, ("body",)): ()}]
    apply_events(callee, args, caller)
    assert [(e.kind, e.loc.line, e.val) for e in caller.events] == [(ir.SQL, 7, ((Ref(0, ("body", "id")), ()),))]
    assert returned(callee, args, LOC, "f") == {Ref(0, ("body", "name")): (Step(LOC, "returned from f()"),)}


def test_branch_join_only_the_branch_that_flows_on() -> None:
    tainted, clean = {"q": _val(0)}, {"q": EMPTY}
    assert join_branches(tainted, True, clean, False) == clean
    assert join_branches(tainted, False, clean, True) == tainted
    assert join_branches(tainted, False, clean, False) == {"q": {Ref(0): ()}}
    assert merge_envs({"a": _val(0)}, {"b": _val(1)}) == {"a": {Ref(0): ()}, "b": {Ref(1): ()}}


def test_sanitise_a_key_and_optionally_its_fields() -> None:
    env = {"q": _val(0), "q.x": _val(0, "x")}
    sanitise(env, "q", frozenset({ir.SQL}))
    assert env == {"q": {Ref(0, cleared=frozenset({ir.SQL})): ()}, "q.x": {Ref(0, ("x",)): ()}}
    sanitise(env, "q", ALL, fields=True)
    assert env == {"q": {}, "q.x": {}}
    sanitise(env, "never_assigned", ALL)
    assert env["never_assigned"] == {}


def test_response_sinks() -> None:
    fields = {"statusCode": "S", "headers": "H", "body": "B"}
    headers = {"location": "L", "content-type": "C"}
    assert response_sinks(fields, headers, "text/html; charset=utf-8", "302") == [
        ResponseSink(ir.XSS, "HTML response body", "B"),
        ResponseSink(ir.REDIRECT, "Location header", "L"),
    ]
    assert response_sinks(fields, headers, "application/json", "200") == []
    assert response_sinks({"headers": "H"}, headers, "text/html", None) == []  # not a proxy response
    assert response_sinks({"body": "B"}, {"location": "L"}, None, None) == [
        ResponseSink(ir.REDIRECT, "Location header", "L")
    ]


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("DB_PASSWORD", True),
        ("DB_PASS", True),
        ("AUTH_TOKEN", True),
        ("stripeApiKey", True),
        ("AUTH_URL", False),
        ("DB_PASSWORD_SECRET_ARN", False),
        ("TABLE_NAME", False),
        ("AUTHOR", False),
    ],
)
def test_secret_names_are_the_secrets_engines_judgement(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret
    expected = (
        {Ref(SECRET, label=name): (Step(LOC, f"secret read from environment variable {name}"),)} if secret else EMPTY
    )
    assert env_read(name, LOC) == expected


def test_logged_env_vars_judged_like_secret001(tmp_path: Path) -> None:
    """Regression: the code engine used a cruder regex than the secrets engine, so logging AUTH_URL or
    DB_PASSWORD_SECRET_ARN (which locate a secret) was CODE014 while logging DB_PASS was not."""
    write_app(
        tmp_path,
        "h:\n  handler: app.handler\n  events:\n    - httpApi: POST /x\n",
        {
            "app.py": """\
import os
def handler(event, context):
    print(os.environ["AUTH_URL"])
    print(os.environ["DB_PASSWORD_SECRET_ARN"])
    print(os.environ["DB_PASS"])
    return {"statusCode": 200}
"""
        },
    )
    result = run(tmp_path, select=("CODE014",))
    assert [(f.rule_id, f.location.path, f.location.line) for f in result.findings] == [("CODE014", "app.py", 5)]
    assert "DB_PASS" in result.findings[0].message
