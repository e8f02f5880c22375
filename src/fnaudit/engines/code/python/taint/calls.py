"""Calls: summaries of the analysed code, sinks and effects, sanitisers, and library calls' results."""

from __future__ import annotations

import ast
import os

from fnaudit.engines.code import ir
from fnaudit.engines.code.python import sinks as S
from fnaudit.engines.code.python.taint.syntax import _short
from fnaudit.engines.code.python.taint.values import EMPTY, EXC, Ref, Val, clear, flatten, sub, union
from fnaudit.engines.code.sources import ANY, GETTER_KEYS
from fnaudit.model.code import Step


class CallsMixin:
    """Part of `FunctionAnalysis` (`engine.py`), which holds the state these methods use."""

    # -- calls -------------------------------------------------------------------------------------

    def call(self, node: ast.Call) -> Val:  # noqa: C901 - the call is where most rules live
        func = node.func
        recv: Val = EMPTY
        method = None
        if isinstance(func, ast.Attribute):
            method = func.attr
            recv = self.eval(func.value)
        pos = [self.eval(a) for a in node.args]
        kw = {k.arg: self.eval(k.value) for k in node.keywords if k.arg}
        star_kw = union(*[self.eval(k.value) for k in node.keywords if k.arg is None]) if any(k.arg is None for k in node.keywords) else EMPTY
        qual = self.qualname(func)
        call_text = _short(func, 40)

        if method == "resolve" and isinstance(func.value, ast.Name) and self.is_resolver(func.value.id):
            self.apply_routes(func.value.id, node)
            return EMPTY
        # functions of the analysed code: apply their summary
        target = self.internal_target(func)
        if target is not None:
            return self.apply(target, node, pos, kw, recv, call_text)

        self.check_sinks(node, qual, method, pos, kw, recv, call_text)
        self.check_effects(node, qual, method, pos, kw, recv, call_text)

        args_val = union(*pos, *kw.values(), star_kw) if (pos or kw or star_kw) else EMPTY
        if qual in ("jsonschema.validate", "jsonschema.Draft7Validator.validate", "fastjsonschema.validate"):
            self.record_schema(node)
        if qual in S.SANITISERS_ALL or (method in ("hexdigest", "digest", "count", "find", "index", "isdigit", "startswith", "endswith") and not qual):
            return EMPTY
        if qual in S.SANITISERS_FOR:
            return clear(flatten(args_val), S.SANITISERS_FOR[qual])
        if qual in S.NORMALISERS:
            return clear(flatten(args_val), frozenset({S.NORMALISED}))
        if method in S.NORMALISING_METHODS and self.type_of(func.value) in ("pathlib.Path",):
            return clear(recv, frozenset({S.NORMALISED}))
        if qual in ("traceback.format_exc", "traceback.format_exception", "traceback.format_tb", "traceback.format_stack"):
            return {Ref(EXC, label=f"{qual}()"): (Step(self.loc(node), f"stack trace from {qual}()"),)}
        if qual in ("os.environ.get", "os.getenv", "os.environ.__getitem__"):
            return self._env_var(node.args[0], node) if node.args else EMPTY
        if qual in S.STRUCTURE_KEEPING:
            return args_val
        if qual in S.RESULT_FROM:
            positions, names = S.RESULT_FROM[qual]
            picked = [pos[i] for i in positions if i < len(pos)] + [kw[n] for n in names if n in kw]
            return flatten(union(*picked)) if picked else EMPTY
        if method is not None and not self._is_module_function(func) and not self._is_class_ref(func.value):
            if method in ("get", "pop") and node.args:
                k = node.args[0]
                key = k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else ANY
                full_key = self.key_of(func.value)
                if full_key and isinstance(k, ast.Constant) and f"{full_key}[{k.value!r}]" in self.env:
                    got = self.env[f"{full_key}[{k.value!r}]"]
                else:
                    got = sub(recv, key)
                return union(got, *pos[1:])
            if method in GETTER_KEYS and node.args:
                k = node.args[0]
                key = k.value if isinstance(k, ast.Constant) and isinstance(k.value, str) else ANY
                return sub(sub(recv, GETTER_KEYS[method]), key)
            if method in ("items", "values", "keys", "copy"):
                return recv
            if method == "replace" and node.args and isinstance(node.args[0], ast.Constant) and node.args[0].value in ("/", "..", os.sep):
                # separators removed: no traversal left (the replacement is data too)
                return clear(flatten(union(recv, *pos[1:])), frozenset({ir.PATH}))
            if method in S.ARG_STRING_METHODS:
                return flatten(union(recv, args_val))
            if method in S.STRING_METHODS:
                return flatten(recv)
            return flatten(recv)
        return flatten(args_val)
