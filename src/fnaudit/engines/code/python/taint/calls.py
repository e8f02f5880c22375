"""Calls: summaries of the analysed code, sinks and effects, sanitisers, and library calls' results."""

from __future__ import annotations

import ast
import os

from fnaudit.engines.code import ir
from fnaudit.engines.code.python import sinks as S
from fnaudit.engines.code.python.taint import checks, expressions, interprocedural, names, sdkvalues, validation
from fnaudit.engines.code.python.taint.syntax import _short
from fnaudit.engines.code.python.taint.walk import Walk
from fnaudit.engines.code.sources import ANY, GETTER_KEYS
from fnaudit.engines.code.taint.values import EMPTY, EXC, Ref, Val, clear, flatten, sub, union
from fnaudit.model.code import Step

# -- calls -------------------------------------------------------------------------------------


def call(w: Walk, node: ast.Call) -> Val:  # noqa: C901 - the call is where most rules live
    func = node.func
    recv: Val = EMPTY
    method = None
    if isinstance(func, ast.Attribute):
        method = func.attr
        recv = expressions.evaluate(w, func.value)
    pos = [expressions.evaluate(w, a) for a in node.args]
    kw = {k.arg: expressions.evaluate(w, k.value) for k in node.keywords if k.arg}
    star_kw = (
        union(*[expressions.evaluate(w, k.value) for k in node.keywords if k.arg is None])
        if any(k.arg is None for k in node.keywords)
        else EMPTY
    )
    qual = names.qualname(w, func)
    call_text = _short(func, 40)

    if (
        isinstance(func, ast.Attribute)
        and func.attr == "resolve"
        and isinstance(func.value, ast.Name)
        and interprocedural.is_resolver(w, func.value.id)
    ):
        interprocedural.apply_routes(w, func.value.id, node)
        return EMPTY
    # functions of the analysed code: apply their summary
    target = interprocedural.internal_target(w, func)
    if target is not None:
        return interprocedural.apply(w, target, node, pos, kw, recv, call_text)

    checks.check_sinks(w, node, qual, method, pos, kw, recv, call_text)
    checks.check_effects(w, node, qual, method, pos, kw, call_text)

    args_val = union(*pos, *kw.values(), star_kw) if (pos or kw or star_kw) else EMPTY
    sdk_value = sdkvalues.result(w, node, qual, args_val, call_text)  # S3 object content, Lambda invoke results
    if sdk_value is not None:
        return sdk_value
    if qual in ("jsonschema.validate", "jsonschema.Draft7Validator.validate", "fastjsonschema.validate"):
        validation.record_schema(w, node)
    if qual in S.NUMERIC_CASTS:
        return clear(flatten(args_val), ir.NUMERIC_CLEARED)  # no text left, but still a number the caller chose
    if qual in S.BOUNDING_CALLS and any(not p for p in pos):
        return clear(
            args_val, frozenset({ir.AMPLIFICATION})
        )  # min(n, 100): bounded by a value the caller does not choose
    secret = checks.runtime_secret(w, node, method)
    if secret:
        return secret
    if qual in S.SANITISERS_ALL or (
        method in ("hexdigest", "digest", "count", "find", "index", "isdigit", "startswith", "endswith") and not qual
    ):
        return EMPTY
    if qual in S.SANITISERS_FOR:
        return clear(flatten(args_val), S.SANITISERS_FOR[qual])
    if qual in S.NORMALISERS:
        return clear(flatten(args_val), frozenset({S.NORMALISED}))
    if (
        isinstance(func, ast.Attribute)
        and func.attr in S.NORMALISING_METHODS
        and names.type_of(w, func.value) in ("pathlib.Path",)
    ):
        return clear(recv, frozenset({S.NORMALISED}))
    if qual in ("traceback.format_exc", "traceback.format_exception", "traceback.format_tb", "traceback.format_stack"):
        return {Ref(EXC, label=f"{qual}()"): (Step(w.loc(node), f"stack trace from {qual}()"),)}
    if qual in ("os.environ.get", "os.getenv", "os.environ.__getitem__"):
        return expressions.env_var(w, node.args[0], node) if node.args else EMPTY
    if qual in S.STRUCTURE_KEEPING:
        return args_val
    if qual in S.RESULT_FROM:
        positions, kw_names = S.RESULT_FROM[qual]
        picked = [pos[i] for i in positions if i < len(pos)] + [kw[n] for n in kw_names if n in kw]
        return flatten(union(*picked)) if picked else EMPTY
    if (
        isinstance(func, ast.Attribute)
        and not names.is_module_function(w, func)
        and not names.is_class_ref(w, func.value)
    ):
        method = func.attr  # a method call on an object
        if method in ("get", "pop") and node.args:
            k = node.args[0]
            key = k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else ANY
            full_key = names.key_of(w, func.value)
            if full_key and isinstance(k, ast.Constant) and f"{full_key}[{k.value!r}]" in w.env:
                got = w.env[f"{full_key}[{k.value!r}]"]
            else:
                got = sub(recv, key)
            return union(got, *pos[1:])
        if method in GETTER_KEYS and node.args:
            k = node.args[0]
            key = k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else ANY
            return sub(sub(recv, GETTER_KEYS[method]), key)
        if method in ("items", "values", "keys", "copy"):
            return recv
        if method in ("json", "body", "form") and not node.args and recv and all(not r.path for r in recv):
            # a Starlette request's `await request.json()` / `.body()` / `.form()`: the request's body
            return sub(recv, "body")
        if (
            method == "replace"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value in ("/", "..", os.sep)
        ):
            # separators removed: no traversal left (the replacement is data too)
            return clear(flatten(union(recv, *pos[1:])), frozenset({ir.PATH}))
        if method in S.ARG_STRING_METHODS:
            return flatten(union(recv, args_val))
        if method in S.STRING_METHODS:
            return flatten(recv)
        return flatten(recv)
    return flatten(args_val)
