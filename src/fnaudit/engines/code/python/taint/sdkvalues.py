"""Values that AWS SDK calls (boto3) hand back: the content of S3 objects and the payload of Lambda invocations.

- S3: `client.get_object(Bucket=b, Key=k)` (its `["Body"].read()`), `resource.Object(b, k).get()`,
  `Bucket(b).Object(k).get()`, and `download_file` / `download_fileobj` (the file or buffer then read)
  give the object's content, tagged with the bucket it came from (`engines/code/s3content.py` decides,
  per function, whether the attacker chose that object).
- Lambda: `client.invoke(...)` returns the other function's result, which carries `errorMessage`,
  `errorType` and `stackTrace` when it fails: handed back to the caller it is a verbose error (CODE013),
  unless the function looks at `FunctionError` (it handles the failure) or invokes asynchronously.

Clients are recognised with the module's boto3 bindings (`python/sdk.py`), as for the IAM engine.
"""

from __future__ import annotations

import ast

from fnaudit.engines.code import s3content
from fnaudit.engines.code.python.sdk import Binding
from fnaudit.engines.code.python.syntax import unparse
from fnaudit.engines.code.python.taint import expressions, names
from fnaudit.engines.code.python.taint.walk import Walk
from fnaudit.engines.code.taint.values import EMPTY, EXC, INVOKE_RESPONSE, Ref, Val, flatten, union
from fnaudit.model.code import Step

OPEN_CALLS = frozenset({"open", "io.open", "builtins.open", "codecs.open"})
INVOKE_LABEL = INVOKE_RESPONSE
_MAX_DEPTH = 4


def result(w: Walk, node: ast.Call, qual: str | None, args_val: Val, call_text: str) -> Val | None:
    """The value of an SDK call (or of `open` on a downloaded file) when this module knows it, else None."""
    func = node.func
    if qual in OPEN_CALLS:
        return _opened(w, node, args_val)
    if not isinstance(func, ast.Attribute):
        return None
    method = func.attr
    step = Step(w.loc(node), f"S3 object read by {call_text}()")
    if method in ("get", "download_file", "download_fileobj"):
        # an S3 `Object` (`s3.Object(b, k)`, `s3.Bucket(b).Object(k)`, or a name bound to one): read
        # from its expression, since boto3's model does not always list `Object` on the service resource
        bucket = _object_bucket(w, func.value, 0)
        if bucket is not None:
            if method == "get":
                return _content(w, bucket, step)
            _downloaded(w, _arg(node, 0, "Filename" if method == "download_file" else "Fileobj"), method, bucket, step)
            return EMPTY
    sdk = w.engine.sdk(w.module)
    base = sdk.binding(func.value) if sdk is not None else None
    if base is None or len(base) < 2:
        return None
    if base[0] == "client" and base[1] == "lambda" and method in ("invoke", "invoke_with_response_stream"):
        return _invoked(w, node, call_text)
    if base[1] != "s3":
        return None
    if base[0] == "client":
        bucket = _arg(node, 0, "Bucket")
        if method == "get_object":
            return _content(w, bucket, step)
        if method in ("download_file", "download_fileobj"):
            _downloaded(w, _arg(node, 2, "Filename" if method == "download_file" else "Fileobj"), method, bucket, step)
            return EMPTY
        return None
    if base[0] == "sub" and len(base) > 2 and base[2] == "Bucket" and method in ("download_file", "download_fileobj"):
        bucket = _bucket_of_bucket(w, func.value, 0)
        _downloaded(w, _arg(node, 1, "Filename" if method == "download_file" else "Fileobj"), method, bucket, step)
        return EMPTY
    return None


def _arg(node: ast.Call, index: int, keyword: str) -> ast.expr | None:
    found = next((k.value for k in node.keywords if k.arg == keyword), None)
    return found if found is not None else (node.args[index] if len(node.args) > index else None)


def _content(w: Walk, bucket: ast.expr | None, step: Step) -> Val:
    if bucket is None:
        return EMPTY
    # only plain reads are evaluated again (a call could record its events twice)
    val = expressions.evaluate(w, bucket) if isinstance(bucket, (ast.Name, ast.Attribute, ast.Subscript)) else EMPTY
    return s3content.content(val, _static(w, bucket, 0), step)


def _downloaded(w: Walk, target: ast.expr | None, method: str, bucket: ast.expr | None, step: Step) -> None:
    """`download_file(b, k, path)`: the file at `path` now holds the object; `download_fileobj(b, k, buf)`:
    the buffer does."""
    if target is None:
        return
    got = _content(w, bucket, step)
    if not got:
        return
    if method == "download_fileobj":
        key = names.key_of(w, target)
        if key:
            w.env[key] = union(w.env.get(key, EMPTY), got)
        return
    for text in _texts(w, target):
        w.downloads[text] = union(w.downloads.get(text, EMPTY), got)


def _opened(w: Walk, node: ast.Call, args_val: Val) -> Val | None:
    path = _arg(node, 0, "file")
    if path is None or not w.downloads:
        return None
    got = union(EMPTY, *[w.downloads[t] for t in _texts(w, path) if t in w.downloads])
    return union(flatten(args_val), got) if got else None


def _texts(w: Walk, node: ast.expr) -> set[str]:
    """The ways a path expression may be written: itself, and what its variable was assigned."""
    out = {unparse(node)}
    if isinstance(node, ast.Name) and node.id in w.assigned:
        out.add(unparse(w.assigned[node.id]))
    return out


def _object_bucket(w: Walk, node: ast.expr, depth: int) -> ast.expr | None:
    """The bucket expression of an S3 `Object`: `s3.Object(b, k)`, `s3.Bucket(b).Object(k)`, or a name bound to one."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Name):
        bound = _bound(w, node)
        return _object_bucket(w, bound, depth + 1) if bound is not None else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Object":
        sdk = w.engine.sdk(w.module)
        recv: Binding | None = sdk.binding(node.func.value) if sdk is not None else None
        if recv is not None and recv[0] == "resource":
            return _arg(node, 0, "bucket_name")
        if recv is not None and recv[0] == "sub":
            return _bucket_of_bucket(w, node.func.value, depth + 1)
    return None


def _bucket_of_bucket(w: Walk, node: ast.expr, depth: int) -> ast.expr | None:
    """The name expression of an S3 `Bucket`: `s3.Bucket(b)` or a name bound to one."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Name):
        bound = _bound(w, node)
        return _bucket_of_bucket(w, bound, depth + 1) if bound is not None else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Bucket":
        return _arg(node, 0, "name")
    return None


def _bound(w: Walk, node: ast.Name) -> ast.expr | None:
    if node.id in w.assigned:
        return w.assigned[node.id]
    if node.id not in w.locals:
        return w.module.globals.get(node.id)
    return None


def _static(w: Walk, node: ast.expr, depth: int) -> str | None:
    """`env:VAR` or `name:bucket` when the bucket is named by an environment variable or a literal."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return f"name:{node.value}"
    if isinstance(node, ast.Name):
        bound = _bound(w, node)
        return _static(w, bound, depth + 1) if bound is not None else None
    if isinstance(node, ast.Subscript) and names.qualname(w, node.value) == "os.environ":
        s = node.slice
        return f"env:{s.value}" if isinstance(s, ast.Constant) and isinstance(s.value, str) else None
    if isinstance(node, ast.Call) and names.qualname(w, node.func) in ("os.environ.get", "os.getenv") and node.args:
        a = node.args[0]
        return f"env:{a.value}" if isinstance(a, ast.Constant) and isinstance(a.value, str) else None
    return None


def _invoked(w: Walk, node: ast.Call, call_text: str) -> Val | None:
    kind = next((k.value for k in node.keywords if k.arg == "InvocationType"), None)
    if isinstance(kind, ast.Constant) and kind.value in ("Event", "DryRun"):
        return None  # no result comes back
    if any(isinstance(n, ast.Constant) and n.value == "FunctionError" for n in w.module.index.walk(w.node)):
        return None  # the function tells a failed invocation from a result
    step = Step(w.loc(node), f"response of {call_text}(): errorMessage and stackTrace when the invoked function fails")
    return {Ref(EXC, label=INVOKE_LABEL): (step,)}
