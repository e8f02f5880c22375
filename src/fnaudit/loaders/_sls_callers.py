"""Internal callers of a Serverless Framework service's functions (the trust model of issue 22).

A function can be invoked by something other than its `events:`: CloudFormation (a custom resource in
`resources:` whose `ServiceToken` is the function), Step Functions (a state machine of the
serverless-step-functions plugin's `stepFunctions:` naming it), or another function of the service (its
`destinations: onSuccess / onFailure`). None of these callers is the public, so each becomes a trigger of
its own kind (`TriggerKind.CUSTOM_RESOURCE`, `STEP_FUNCTIONS`, `LAMBDA_INVOKE`) that the code engine reads
as "not attacker controlled by default" (`engines/code/sources.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from fnaudit.loaders._cfn_triggers import is_custom_resource
from fnaudit.loaders._sls_values import At
from fnaudit.loaders._yaml import line_of
from fnaudit.model.app import Authorizer, Resource, Trigger, TriggerKind
from fnaudit.model.loc import Loc

Target = Callable[[Any], str | None]  # a `Ref` / `Fn::GetAtt` of `XLambdaFunction` → the function's name

_MAX_DEPTH = 40  # a state machine definition nests states in states; a hostile one must not recurse forever


def internal_callers(
    resources: Mapping[str, Resource],
    functions: Mapping[str, Any],
    step_functions: Any,
    target: Target,
    at: At,
) -> dict[str, tuple[Trigger, ...]]:
    """Function name → the triggers of its internal callers."""
    out: dict[str, list[Trigger]] = {}
    for name, trigger in (
        *_custom_resources(resources, target),
        *_destinations(functions, target, at),
        *_state_machines(step_functions, functions, target, at),
    ):
        if name in functions:
            out.setdefault(name, []).append(trigger)
    return {name: tuple(triggers) for name, triggers in out.items()}


def _trigger(kind: TriggerKind, loc: Loc, source: str) -> Trigger:
    return Trigger(kind, loc, Authorizer.none(loc), source=source)


def _custom_resources(resources: Mapping[str, Resource], target: Target) -> Iterator[tuple[str, Trigger]]:
    for res in resources.values():
        if not is_custom_resource(res.type):
            continue
        name = target(res.properties.get("ServiceToken"))
        if name is not None:
            loc = Loc(res.loc.path, line_of(res.properties, "ServiceToken", res.loc.line))
            yield name, _trigger(TriggerKind.CUSTOM_RESOURCE, loc, res.logical_id)


def _destinations(functions: Mapping[str, Any], target: Target, at: At) -> Iterator[tuple[str, Trigger]]:
    """`destinations: {onSuccess: otherFunction}`: the Framework takes a function of the service by name."""
    for caller, body in functions.items():
        dest = body.get("destinations") if isinstance(body, Mapping) else None
        if not isinstance(dest, Mapping):
            continue
        for key in ("onSuccess", "onFailure"):
            raw = dest.get(key)
            if isinstance(raw, Mapping):  # `{type: function, arn: …}`
                raw = raw.get("arn")
            name = raw if isinstance(raw, str) and raw in functions else target(raw)
            if name is not None and name != caller:
                yield name, _trigger(TriggerKind.LAMBDA_INVOKE, at(dest, key), caller)


def _state_machines(
    step_functions: Any, functions: Mapping[str, Any], target: Target, at: At
) -> Iterator[tuple[str, Trigger]]:
    """serverless-step-functions: `stepFunctions.stateMachines.<name>.definition` names functions with
    `Fn::GetAtt: [hello, Arn]` (the plugin accepts the function's own name) or `HelloLambdaFunction`."""
    machines = step_functions.get("stateMachines") if isinstance(step_functions, Mapping) else None
    if not isinstance(machines, Mapping):
        return
    for machine, body in machines.items():
        definition = body.get("definition") if isinstance(body, Mapping) else None
        seen: set[str] = set()
        for raw in _intrinsics(definition, 0):
            name = target(raw) or _plugin_name(raw, functions)
            if name is not None and name not in seen:
                seen.add(name)
                yield name, _trigger(TriggerKind.STEP_FUNCTIONS, at(machines, machine), str(machine))


def _intrinsics(raw: Any, depth: int) -> Iterator[Mapping[str, Any]]:
    """Every one-key `Ref` / `Fn::GetAtt` mapping inside `raw`."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(raw, Mapping):
        if len(raw) == 1 and next(iter(raw)) in ("Ref", "Fn::GetAtt"):
            yield raw
            return
        for value in raw.values():
            yield from _intrinsics(value, depth + 1)
    elif isinstance(raw, list):
        for item in raw:
            yield from _intrinsics(item, depth + 1)


def _plugin_name(raw: Mapping[str, Any], functions: Mapping[str, Any]) -> str | None:
    """`Fn::GetAtt: [hello, Arn]` / `Fn::GetAtt: hello.Arn` naming the function `hello` itself."""
    arg = raw.get("Fn::GetAtt")
    parts = arg.split(".", 1) if isinstance(arg, str) else arg
    if isinstance(parts, list) and parts and isinstance(parts[0], str) and parts[0] in functions:
        return parts[0]
    return None
