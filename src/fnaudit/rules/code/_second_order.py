"""Second-order flows: event data one function stores, that triggers another function where it reaches a sink.

Function A writes request data to a queue, table, bucket, topic or stream of the app (a `store` flow of the
code engine, at the line of the SDK call that names the resource); function B is triggered by that resource
and its event reaches a sink. Seen alone, B's flow comes from an internal trigger and is reported low; seen
together, the attacker of A's public route chooses B's data. The CODE rules then report B's sink once, with
A's exposure one level lower (the data waits in between and may be transformed), lower confidence, both
functions named and A's steps first in the trace.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from fnaudit.engines.code import ir
from fnaudit.engines.iam.used import resource_of
from fnaudit.model.app import App, Function, Trigger
from fnaudit.model.code import Flow, SdkCall


@dataclass(frozen=True, slots=True)
class StoreWrite:
    """Function `fn` writes event data (`flow`) into the store the SDK call `call` names."""

    fn: Function
    flow: Flow
    call: SdkCall
    store: str  # the store's identity: the app resource's logical id, else its plain name


def store_key(text: str | None, app: App) -> str | None:
    """One identity for a store however it is written (logical id, `!GetAtt Q.Arn`, ARN, queue URL, name)."""
    if not text:
        return None
    res = resource_of(text, app)
    if res is not None:
        return res.logical_id
    plain = text.strip().rstrip("/")
    if plain.startswith(("!", "${", "{")):
        return None  # an expression we could not resolve: never guess
    return plain.rsplit("/", 1)[-1].rsplit(":", 1)[-1] or None


def writes(app: App) -> Iterator[StoreWrite]:
    """Every `store` flow of the app's functions joined to the SDK call made on the same line."""
    for fn in app.functions:
        if fn.code_facts is None:
            continue
        for flow in fn.code_facts.flows:
            if flow.sink.kind != ir.STORE:
                continue
            for call in fn.sdk_calls:
                if call.loc == flow.sink.loc and (key := store_key(call.resource, app)) is not None:
                    yield StoreWrite(fn, flow, call, key)


def feeding(app: App, known: list[StoreWrite], fn: Function, trigger: Trigger | None) -> list[StoreWrite]:
    """The writes (of `known`, the app's `writes`) of other functions into the store `trigger` of `fn` is fired by."""
    if trigger is None or trigger.kind.is_http or not known:
        return []
    key = store_key(trigger.source, app)
    if key is None:
        return []
    return [w for w in known if w.store == key and w.fn.id != fn.id]
