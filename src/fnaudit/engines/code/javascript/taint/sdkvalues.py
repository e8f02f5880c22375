"""Values AWS SDK calls hand back that an attacker may have chosen (the content of S3 objects), or that
must not reach the caller (another function's response, with its error and stack trace).

- v2: `s3.getObject({ Bucket, Key })`, then `.promise()`, `.createReadStream()` or an `(err, data)` callback;
- v3: `new GetObjectCommand({ Bucket, Key })` sent with `client.send(...)`, then `Body.transformToString()`,
  `Body.transformToByteArray()` or the stream read chunk by chunk.

The value is the object's content tagged with the bucket it came from (`engines/code/s3content.py` decides,
per function, whether the attacker chose that object: the bucket whose event triggers the function, or one
the app lets anyone write to). It then flows like any other value, so a helper that reads the stream or
decodes the body keeps it. The bucket is what matters, not the key: a key from the event names an object in
a bucket only the function's owner writes to, and its content is not the attacker's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fnaudit.engines.code import s3content
from fnaudit.engines.code.javascript.modules import Node, string_value, text, unwrap
from fnaudit.engines.code.taint.values import EMPTY, EXC, INVOKE_RESPONSE, Ref, Val
from fnaudit.model.code import Step

if TYPE_CHECKING:
    from fnaudit.engines.code.javascript.taint.engine import JsFunction

GET_OBJECT_METHODS = frozenset({"getObject"})
GET_OBJECT_COMMANDS = frozenset({"GetObjectCommand"})
INVOKE_COMMANDS = frozenset({"InvokeCommand", "InvokeWithResponseStreamCommand"})
# Bucket expressions read again to learn their value: plain reads only (a call could record its events twice).
_PLAIN = frozenset({"identifier", "member_expression", "subscript_expression", "shorthand_property_identifier"})
_MAX_DEPTH = 4


def result(
    fn: JsFunction, node: Node, method: str | None, arg_nodes: list[Node], pos: list[Val], call_text: str
) -> Val:
    """v2 `s3.getObject(params)`: the object's content; v2 `lambda.invoke(params)`: the other function's
    response (EMPTY when the call is neither)."""
    if method == "invoke" and arg_nodes and fn.checks.has_field(arg_nodes[0], ("FunctionName",)):
        return _invoked(fn, arg_nodes[0], node, call_text + "()") or EMPTY
    if method not in GET_OBJECT_METHODS or not arg_nodes or not fn.checks.has_field(arg_nodes[0], ("Bucket",)):
        return EMPTY
    return _content(fn, arg_nodes[0], node, call_text)


def command_result(fn: JsFunction, node: Node, name: str, arg_nodes: list[Node], call_text: str) -> Val | None:
    """v3 `new GetObjectCommand(params)` / `new InvokeCommand(params)`: what sending it returns; None when the
    command is neither."""
    if name in INVOKE_COMMANDS and arg_nodes:
        return _invoked(fn, arg_nodes[0], node, call_text) or EMPTY
    if name not in GET_OBJECT_COMMANDS or not arg_nodes:
        return None
    return _content(fn, arg_nodes[0], node, call_text)


def holds_object(val: Val) -> bool:
    """Whether a value holds what sending a command returns (S3 object content, a function's response),
    handed to `client.send`."""
    return any(
        r.root == s3content.S3_OBJECT or s3content.OBJECT in r.path or (r.root == EXC and r.label == INVOKE_RESPONSE)
        for r in val
    )


def _invoked(fn: JsFunction, params: Node, node: Node, call_text: str) -> Val | None:
    """Another function's response: None when none comes back (`InvocationType: 'Event'` / `'DryRun'`) or
    when the function tells a failed invocation from a result (it reads `FunctionError`)."""
    if string_value(_field(fn, params, "InvocationType")) in ("Event", "DryRun"):
        return None
    if "FunctionError" in text(fn.st.node):
        return None
    step = Step(
        fn.st.loc(node), f"response of {call_text}: errorMessage and stackTrace when the invoked function fails"
    )
    return {Ref(EXC, label=INVOKE_RESPONSE): (step,)}


def _content(fn: JsFunction, params: Node, node: Node, call_text: str) -> Val:
    bucket_node = _field(fn, params, "Bucket")
    bucket: Val = EMPTY
    if bucket_node is None or bucket_node.type in _PLAIN:  # in a literal, or in a variable holding the params
        bucket = fn.checks.field_val(params, "Bucket") or EMPTY
    static = _static(fn, bucket_node, 0) if bucket_node is not None else None
    step = Step(fn.st.loc(node), f"S3 object read by {call_text}" + ("" if call_text.startswith("new ") else "()"))
    return s3content.content(bucket, static, step)


def _field(fn: JsFunction, params: Node | None, key: str) -> Node | None:
    """The value node of `key` in the params object (written in place, or a constant declared before)."""
    obj = fn.checks.object_literal(params)
    if obj is None:
        return None
    for c in obj.named_children:
        if c.type == "pair":
            k = c.child_by_field_name("key")
            if (string_value(k) or text(k)) == key:
                return unwrap(c.child_by_field_name("value"))
        elif c.type == "shorthand_property_identifier" and text(c) == key:
            return c
    return None


def _static(fn: JsFunction, node: Node | None, depth: int) -> str | None:
    """`env:VAR` or `name:bucket` when the bucket is named by an environment variable or a literal."""
    node = unwrap(node)
    if node is None or depth > _MAX_DEPTH:
        return None
    literal = string_value(node)
    if literal is not None:
        return f"name:{literal}" if literal else None
    if node.type == "member_expression" and text(node.child_by_field_name("object")) == "process.env":
        return f"env:{text(node.child_by_field_name('property'))}"
    if node.type == "subscript_expression" and text(node.child_by_field_name("object")) == "process.env":
        name = string_value(unwrap(node.child_by_field_name("index")))
        return f"env:{name}" if name else None
    if node.type == "binary_expression" and text(node.child_by_field_name("operator")) in ("||", "??"):
        return _static(fn, node.child_by_field_name("left"), depth + 1)  # process.env.BUCKET || "default"
    if node.type in ("identifier", "shorthand_property_identifier"):
        name = text(node)
        bound = fn.st.assigned.get(name)
        if bound is None and name not in fn.st.locals:
            bound = fn.st.module.globals.get(name)
        if bound is None and name not in fn.st.locals and name in fn.st.module.env_aliases:  # { BUCKET } = process.env
            return f"env:{fn.st.module.env_aliases[name]}"
        return _static(fn, bound, depth + 1) if bound is not None else None
    return None
