"""AWS Chalice entries seen as one summary whose event is the Lambda event Chalice received.

A Chalice route handler takes no event: it reads `app.current_request` (an `EVENT` reference, see
`taint.expressions`) and receives the URI parameters as arguments. The API function runs every
route, so its summary is every route's events, with each argument a path parameter. An event
handler (`@app.on_sqs_message`, …) receives Chalice's wrapper of the event: iterating an SQS event
gives its records, an SNS event's `message` is the record's `Sns.Message`, an S3 event's `key` is
the record's object key; the wrapper is bound to the matching part of the raw event.
"""

from __future__ import annotations

import ast
from pathlib import Path

from fnaudit.engines.code.python import routes
from fnaudit.engines.code.python.modules import Module
from fnaudit.engines.code.python.taint.engine import TaintEngine
from fnaudit.engines.code.sources import ELEM
from fnaudit.engines.code.taint.summaries import apply_events
from fnaudit.engines.code.taint.values import EVENT, Ref, Summary, Val, instantiate
from fnaudit.model.app import Function, TriggerKind
from fnaudit.model.code import Route, Step
from fnaudit.model.loc import Loc

# The part of the raw event Chalice's event object wraps, by trigger.
_WRAPPED: dict[TriggerKind, tuple[str, ...]] = {
    TriggerKind.SQS: ("Records",),  # SQSEvent iterates over SQSRecord(body, …)
    TriggerKind.SNS: ("Records", ELEM, "Sns"),  # SNSEvent.message / .subject
    TriggerKind.S3: ("Records", ELEM, "s3", "object"),  # S3Event.key
    TriggerKind.DYNAMODB_STREAM: ("Records",),
    TriggerKind.KINESIS: ("Records",),
}


def is_chalice(fn: Function) -> bool:
    return fn.framework == "chalice"


def routes_summary(engine: TaintEngine, module: Module, var: str, code_root: Path) -> Summary | None:
    """The API function: every `@<var>.route` handler of the module, its arguments path parameters."""
    merged = Summary([])
    found = False
    for fnode in module.functions.values():
        dec = next((d for d in fnode.decorator_list if _is_route(d, var)), None)
        if not isinstance(dec, ast.Call):
            continue
        found = True
        summary = engine.summary(module, fnode, code_root)
        step = Step(Loc(module.rel, fnode.lineno), f"route {fnode.name}() of {var}")
        args: list[Val] = [{Ref(EVENT, ("pathParameters", p)): (step,)} for p in summary.params]
        path = dec.args[0].value if dec.args and isinstance(dec.args[0], ast.Constant) else ""
        # the authorizer of a Chalice route is the API's (its trigger says which): none declared in code here
        route = Route(routes.methods_of(dec), str(path), Loc(module.rel, dec.lineno), fnode.name, "chalice")
        apply_events(summary, args, merged, route)
        merged.returns.extend((loc, instantiate(val, args)) for loc, val in summary.returns)
    return merged if found else None


def event_summary(
    engine: TaintEngine, module: Module, node: ast.FunctionDef | ast.AsyncFunctionDef, fn: Function, code_root: Path
) -> Summary:
    """An event handler: its first argument is bound to the part of the event Chalice wraps."""
    summary = engine.summary(module, node, code_root)
    kinds = [t.kind for t in fn.triggers]
    prefix = _WRAPPED.get(kinds[0], ()) if kinds else ()
    step = Step(Loc(module.rel, node.lineno), f"{node.name}() receives the {kinds[0].value if kinds else ''} event")
    args: list[Val] = [{Ref(EVENT, prefix): (step,)}] if summary.params else []
    out = Summary([])
    apply_events(summary, args, out)
    out.returns.extend((loc, instantiate(val, args)) for loc, val in summary.returns)
    return out


def _is_route(dec: ast.expr, var: str) -> bool:
    return (
        isinstance(dec, ast.Call)
        and isinstance(dec.func, ast.Attribute)
        and dec.func.attr == "route"
        and isinstance(dec.func.value, ast.Name)
        and dec.func.value.id == var
    )
