"""Sinks and effects of a call: sink arguments, logging, writes to module state and to `/tmp`."""

from __future__ import annotations

import ast

from fnaudit.engines.code import ir, redos
from fnaudit.engines.code.python import responses
from fnaudit.engines.code.python import sinks as S
from fnaudit.engines.code.python.taint import expressions, names, statements
from fnaudit.engines.code.python.taint.syntax import _root_name, _short, _tmp_path, _tmp_path_expr, _unique_path
from fnaudit.engines.code.python.taint.walk import Walk
from fnaudit.engines.code.taint.values import EMPTY, SECRET, Ref, Val, active, union
from fnaudit.model.code import Step

# -- sinks and effects -------------------------------------------------------------------------


def check_sinks(
    w: Walk,
    node: ast.Call,
    qual: str | None,
    method: str | None,
    pos: list[Val],
    kw: dict[str, Val],
    recv: Val,
    call_text: str,
) -> None:
    spec: S.SinkSpec | None = None
    if qual is not None:
        spec = S.FUNCTION_SINKS.get(qual) or S.TYPED_METHOD_SINKS.get(qual)
        if spec is None and qual.startswith("."):
            spec = None
    if spec is None and isinstance(node.func, ast.Attribute) and not names.is_module_function(w, node.func):
        method = node.func.attr
        t = names.type_of(w, node.func.value)
        if t and f"{t}.{method}" in S.TYPED_METHOD_SINKS:
            spec = S.TYPED_METHOD_SINKS[f"{t}.{method}"]
        elif method in S.METHOD_SINKS:
            spec = S.METHOD_SINKS[method]
            if spec.receiver and t != "pathlib.Path":
                spec = None
        if method in S.MONGO_METHODS:
            for a in [*node.args, *[k.value for k in node.keywords]]:
                if isinstance(a, ast.Dict):
                    for k, v in zip(a.keys, a.values, strict=True):
                        if isinstance(k, ast.Constant) and k.value == "$where":
                            statements.event(
                                w, ir.NOSQL, f"{call_text} $where", node, active(expressions.evaluate(w, v), ir.NOSQL)
                            )
    extra_sinks(w, node, method, pos, kw, recv, call_text)
    if spec is None:
        return
    if spec.note == "regex":
        regex_call(w, node, spec, pos, kw, call_text)
        return
    if spec.note == "socket":
        address = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg in spec.kwargs), None)
        if isinstance(address, ast.Tuple) and address.elts:  # (host, port): the host is what matters
            host = expressions.evaluate(w, address.elts[0])
            statements.event(w, spec.kind, call_text, node, active(host, spec.kind))
            return
    if spec.note == "sax-feature":
        return
    if spec.note == "yaml" and safe_yaml(w, node):
        return
    if spec.note == "lxml" and safe_lxml(w, node):
        return
    if spec.note == "django-response" and not html_response(w, node):
        return
    if spec.note == "framework-response" and qual in responses.RESPONSE_CLASSES:
        responses.response_call(w, node, qual)  # Chalice / Powertools: the body or the Location, by the fields
        return
    if spec.note == "subprocess":
        shell = next((k.value for k in node.keywords if k.arg == "shell"), None)
        shell_on = (isinstance(shell, ast.Constant) and bool(shell.value)) or (
            shell is not None and not isinstance(shell, ast.Constant)
        )
        if not shell_on and node.args:
            a0 = node.args[0]
            argv0: Val
            if isinstance(a0, (ast.List, ast.Tuple)):
                argv0 = (
                    expressions.evaluate(w, a0.elts[0])
                    if a0.elts and not isinstance(a0.elts[0], ast.Starred)
                    else EMPTY
                )
            elif isinstance(a0, ast.Name) and f"{a0.id}[0]" in w.env:
                argv0 = w.env[f"{a0.id}[0]"]
            else:
                argv0 = pos[0]
            # without a shell only the program name is a command; the other arguments are data
            statements.event(w, ir.COMMAND, call_text, node, active(argv0, ir.COMMAND))
            return
    val: Val = {}
    for i in spec.args:
        if i < len(pos):
            val = union(val, pos[i])
    for name in spec.kwargs:
        if name in kw:
            val = union(val, kw[name])
    if spec.receiver:
        val = union(val, recv)
    statements.event(w, spec.kind, call_text, node, active(val, spec.kind))


def extra_sinks(
    w: Walk, node: ast.Call, method: str | None, pos: list[Val], kw: dict[str, Val], recv: Val, call_text: str
) -> None:
    """Sinks that are not one argument of one callee: page sizes, stored HTML, compiled regexes."""
    for name in S.AMPLIFICATION_KWARGS:
        if name in kw:
            statements.event(w, ir.AMPLIFICATION, f"{call_text} {name}", node, active(kw[name], ir.AMPLIFICATION))
    if not isinstance(node.func, ast.Attribute):
        return
    if method in S.STORE_METHODS:
        stored(w, node, S.STORE_METHODS[method], pos, kw, call_text)
    if method in S.S3_PUT_METHODS and "Body" in kw:
        ctype = next((k.value for k in node.keywords if k.arg == "ContentType"), None)
        stored_html(w, node, kw["Body"], ctype, call_text)
    elif method in S.S3_UPLOAD_METHODS and (pos or "Fileobj" in kw):
        extra = next((k.value for k in node.keywords if k.arg == "ExtraArgs"), None)
        ctype = None
        if isinstance(extra, ast.Dict):
            ctype = next(
                (
                    v
                    for k, v in zip(extra.keys, extra.values, strict=True)
                    if isinstance(k, ast.Constant) and k.value == "ContentType"
                ),
                None,
            )
        if ctype is not None:
            stored_html(w, node, pos[0] if pos else kw["Fileobj"], ctype, call_text)
    if method in S.PATTERN_METHODS and pos:
        pattern = compiled_pattern(w, node.func.value)
        if pattern is not None:
            why = redos.vulnerable(pattern)
            if why:
                text = f"{call_text} ({why} in {_pattern_text(pattern)})"
                statements.event(w, ir.REDOS, text, node, active(pos[0], ir.REDOS))


def stored(w: Walk, node: ast.Call, spec: S.StoreSpec, pos: list[Val], kw: dict[str, Val], call_text: str) -> None:
    """Event data written as the payload of a data store (`store`): the item, message, object body, record…"""
    for path in spec.payload:
        name, rest = path[0], path[1:]
        if name in kw:
            value = kw[name] if not rest else _payload(w, next(k.value for k in node.keywords if k.arg == name), rest)
        elif spec.arg is not None and spec.arg < len(pos):
            value = pos[spec.arg]
        elif (spread := _spread_keyword(w, node, name)) is not None:
            value = spread  # the whole key's value, also for a path into it: what it holds may be stored
        else:
            continue
        statements.event(w, ir.STORE, f"{call_text} {'.'.join(path)}", node, active(value, ir.STORE))


def _spread_keyword(w: Walk, node: ast.Call, name: str) -> Val | None:
    """`put_item(**params)` with `params = {"TableName": …, "Item": item}`: the value the dict holds at `name`."""
    for k in node.keywords:
        if k.arg is None and isinstance(k.value, ast.Name) and f"{k.value.id}[{name!r}]" in w.env:
            return w.env[f"{k.value.id}[{name!r}]"]
    return None


def _payload(w: Walk, node: ast.expr, path: tuple[str, ...]) -> Val:
    """The data at `path` inside a literal (`[{"Detail": d, "Source": "app"}]`, path `*`, `Detail` → d). A
    part that is not a literal here (a variable, a comprehension, a call) is taken whole: all it holds may be
    the payload."""
    if not path:
        return expressions.evaluate(w, node)
    key, rest = path[0], path[1:]
    if isinstance(node, ast.Dict):
        out: Val = EMPTY
        for k, v in zip(node.keys, node.values, strict=True):
            if k is None:  # {**other}: its keys are at this level
                out = union(out, _payload(w, v, path))
            elif key == S.STORE_ANY or (isinstance(k, ast.Constant) and k.value == key):
                out = union(out, _payload(w, v, rest))
        return out
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)) and key == S.STORE_ANY:
        return union(
            EMPTY,
            *(_payload(w, e.value, path) if isinstance(e, ast.Starred) else _payload(w, e, rest) for e in node.elts),
        )
    return expressions.evaluate(w, node)


def stored_html(w: Walk, node: ast.Call, body: Val, ctype: ast.expr | None, call_text: str) -> None:
    """An S3 write whose content type makes browsers render it: a constant HTML/SVG type, or one the event chooses."""
    if isinstance(ctype, ast.Constant) and isinstance(ctype.value, str):
        if ctype.value.lower().startswith(S.HTML_CONTENT_TYPES):
            statements.event(
                w, ir.STORED_XSS, f"{call_text} (ContentType {ctype.value})", node, active(body, ir.STORED_XSS)
            )
        return
    if ctype is not None:
        chosen = active(expressions.evaluate(w, ctype), ir.STORED_XSS)
        if chosen:
            statements.event(
                w,
                ir.STORED_XSS,
                f"{call_text} (ContentType from the event)",
                node,
                union(chosen, active(body, ir.STORED_XSS)),
            )


def compiled_pattern(w: Walk, node: ast.expr) -> str | None:
    """The constant pattern of `re.compile("...")`, inline or held by a module-level name."""
    if isinstance(node, ast.Name) and node.id not in w.locals:
        g = w.module.globals.get(node.id)
        node = g if isinstance(g, ast.Call) else node
    if isinstance(node, ast.Call) and names.qualname(w, node.func) == "re.compile" and node.args:
        return constant_pattern(w, node.args[0])
    return None


def constant_pattern(w: Walk, node: ast.expr) -> str | None:
    if isinstance(node, ast.Name) and node.id not in w.locals:
        g = w.module.globals.get(node.id)
        node = g if g is not None else node
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _pattern_text(pattern: str) -> str:
    return 'r"' + (pattern if len(pattern) <= 40 else pattern[:37] + "...") + '"'  # as written in the source


def regex_call(w: Walk, node: ast.Call, spec: S.SinkSpec, pos: list[Val], kw: dict[str, Val], call_text: str) -> None:
    """`re.match(p, s)`: a pattern from the event is ReDoS by itself (the caller writes the regex); a
    constant pattern that backtracks catastrophically is ReDoS when the string is event data."""
    pattern_val = pos[0] if pos else kw.get("pattern", EMPTY)
    chosen = active(pattern_val, ir.REDOS)
    if chosen:
        statements.event(w, ir.REDOS, f"{call_text} (pattern from the event)", node, chosen)
        return
    string_index = next((i for i in spec.args if i > 0), None)
    if string_index is None:
        return
    pattern_node = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "pattern"), None)
    pattern = constant_pattern(w, pattern_node) if pattern_node is not None else None
    why = redos.vulnerable(pattern) if pattern is not None else None
    if not why:
        return
    string = pos[string_index] if string_index < len(pos) else kw.get("string", EMPTY)
    statements.event(
        w, ir.REDOS, f"{call_text} ({why} in {_pattern_text(pattern or '')})", node, active(string, ir.REDOS)
    )


def runtime_secret(w: Walk, node: ast.Call, method: str | None) -> Val:
    """The result of fetching a secret at runtime (CODE014 when it is logged), else EMPTY: Secrets Manager
    `get_secret_value`, SSM `get_parameter(..., WithDecryption=True)`, the Parameters and Secrets extension
    (a call that sends its token header, or names `localhost:2773`)."""
    label = S.SECRET_METHODS.get(method or "") if isinstance(node.func, ast.Attribute) else None
    if label is None and method in S.DECRYPTED_PARAMETER_METHODS:
        decrypt = next((k.value for k in node.keywords if k.arg == "WithDecryption"), None)
        if isinstance(decrypt, ast.Constant) and decrypt.value is True:
            label = f"SSM SecureString parameter, {method} with WithDecryption=True"
    if label is None and _calls_secrets_extension(w, node):
        label = "the Parameters and Secrets extension, localhost:2773"
    if label is None:
        return EMPTY
    return {Ref(SECRET, label=label): (Step(w.loc(node), f"secret fetched by {_short(node.func, 40)}()"),)}


def _calls_secrets_extension(w: Walk, node: ast.Call) -> bool:
    for arg in [*node.args, *(k.value for k in node.keywords)]:
        if isinstance(arg, ast.Dict):
            for k in arg.keys:
                if isinstance(k, ast.Constant) and str(k.value).lower() == S.SECRETS_EXTENSION_HEADER:
                    return True
        elif isinstance(arg, (ast.Constant, ast.JoinedStr, ast.BinOp)):
            # the URL's literal parts: "http://localhost:2773/…", also inside an f-string or a concatenation
            for part in w.module.index.walk(arg):
                text = part.value if isinstance(part, ast.Constant) and isinstance(part.value, str) else ""
                if S.SECRETS_EXTENSION_PORT in text and ("localhost" in text or "127.0.0.1" in text):
                    return True
    return False


def safe_yaml(w: Walk, node: ast.Call) -> bool:
    loader = next((k.value for k in node.keywords if k.arg == "Loader"), node.args[1] if len(node.args) > 1 else None)
    if loader is None:
        return False  # PyYAML < 6 defaults to an unsafe loader; >= 6 refuses to run without one
    name = loader.attr if isinstance(loader, ast.Attribute) else (loader.id if isinstance(loader, ast.Name) else "")
    return name in S.SAFE_YAML_LOADERS


def html_response(w: Walk, node: ast.Call) -> bool:
    """`HttpResponse(body)` is `text/html`; `HttpResponse(body, content_type="application/json")` (or any
    media type a browser does not render as a page) is not. A content type that is not a literal (nor a
    module constant) may be HTML: the sink stays."""
    ctype = next(
        (k.value for k in node.keywords if k.arg == "content_type"), node.args[1] if len(node.args) > 1 else None
    )
    headers = next((k.value for k in node.keywords if k.arg == "headers"), None)
    if ctype is None and isinstance(headers, ast.Dict):  # `headers={"Content-Type": "application/json"}`
        ctype = next(
            (
                v
                for k, v in zip(headers.keys, headers.values, strict=True)
                if isinstance(k, ast.Constant) and str(k.value).lower() == "content-type"
            ),
            None,
        )
    if isinstance(ctype, ast.Name) and isinstance(w.module.globals.get(ctype.id), ast.Constant):
        ctype = w.module.globals[ctype.id]  # `JSON = "application/json"` at module level
    if not (isinstance(ctype, ast.Constant) and isinstance(ctype.value, str)):
        return True  # none given (or `None`): Django's default, `text/html`; computed: may be HTML
    return ctype.value.split(";")[0].strip().lower() in S.HTML_MEDIA_TYPES


def safe_lxml(w: Walk, node: ast.Call) -> bool:
    parser = next((k.value for k in node.keywords if k.arg == "parser"), node.args[1] if len(node.args) > 1 else None)
    if parser is None:
        return False
    return names.type_of(w, parser) == "lxml.safe_parser"


def check_effects(
    w: Walk, node: ast.Call, qual: str | None, method: str | None, pos: list[Val], kw: dict[str, Val], call_text: str
) -> None:
    all_args = union(*pos, *kw.values()) if (pos or kw) else EMPTY
    # logging
    is_log = qual == "print" or ((qual or "").startswith("logging.") and method in S.LOG_METHODS)
    if not is_log and method in S.LOG_METHODS and isinstance(node.func, ast.Attribute):
        root = _root_name(node.func)
        if root and (root in S.LOGGER_NAMES or root.lower().endswith("logger") or root.lower().endswith("log")):
            is_log = True
        # a logger held by an object: Flask's `app.logger.info`, `self.log.warning`, `current_app.logger`
        owner = node.func.value
        if isinstance(owner, ast.Attribute) and (owner.attr in S.LOGGER_NAMES or owner.attr.lower().endswith("logger")):
            is_log = True
        if isinstance(node.func.value, ast.Call) and (names.qualname(w, node.func.value.func) or "").endswith(
            "getLogger"
        ):
            is_log = True
    if is_log and all_args:
        statements.event(w, "log", call_text, node, all_args)
    # runtime state: mutating a module-level object
    if method in S.MUTATORS and isinstance(node.func, ast.Attribute):
        root = _root_name(node.func)
        if root and statements.is_module_mutable(w, root) and all_args:
            statements.event(w, "state-global", _short(node.func.value, 40), node, all_args)
    # runtime state: writing event data under /tmp
    if (
        qual in ("open", "io.open")
        and node.args
        and _tmp_path(node.args[0])
        and pos
        and pos[0]
        and not _unique_path(node.args[0])
    ):
        mode = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "mode"), None)
        if isinstance(mode, ast.Constant) and isinstance(mode.value, str) and set(mode.value) & set("wax+"):
            statements.event(w, "state-tmp", _short(node.args[0], 40), node, pos[0])
    if (
        method in ("write", "writelines")
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and w.types.get(node.func.value.id) == "tmpfile"
        and all_args
    ):
        statements.event(w, "state-tmp", node.func.value.id, node, all_args)
    if (
        method in ("write_text", "write_bytes")
        and isinstance(node.func, ast.Attribute)
        and _tmp_path_expr(node.func.value)
        and all_args
    ):
        statements.event(w, "state-tmp", _short(node.func.value, 40), node, all_args)
    if (
        method in ("download_file",)
        and len(node.args) >= 3
        and _tmp_path(node.args[2])
        and not _unique_path(node.args[2])
    ):
        data = union(pos[0], pos[1])
        if data:
            statements.event(w, "state-tmp", _short(node.args[2], 40), node, data)
