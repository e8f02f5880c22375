"""Calls of library sinks: which call, on which receiver, records which sink with which argument.

Receivers are recognised by their tag (objects.py) or their text (`Files`, `Ognl`, a logger's name).
"""

from __future__ import annotations

from tree_sitter import Node

from fnaudit.engines.code import ir
from fnaudit.engines.code.java import sinks as v
from fnaudit.engines.code.java.objects import tag
from fnaudit.engines.code.java.parse import text
from fnaudit.engines.code.java.state import Walk
from fnaudit.engines.code.taint.values import EMPTY, Val, active, flatten, union


def arg_nodes(call: Node) -> list[Node]:
    """The argument expressions of a call or constructor."""
    args = call.child_by_field_name("arguments")
    return list(args.named_children) if args is not None else []


def record(w: Walk, kind: str, call_text: str, node: Node, val: Val) -> None:
    """A sink event: the value's refs not sanitised for that sink kind (`log` keeps them all)."""
    w.summary.record(kind, call_text, w.loc(node), active(val, kind) if kind in ir.SINK_KINDS else val)


def built(args: list[Val]) -> Val:
    """Text built from all the arguments (a command line, a concatenated path)."""
    return flatten(union(*args)) if args else EMPTY


def is_logger(w: Walk, obj: Node | None) -> bool:
    if obj is None:
        return False
    name = text(obj)
    return (
        tag(w, obj) == "logger"
        or name.endswith("getLogger()")
        or name.split(".")[-1].lower() in ("log", "logger", "_log", "_logger")
    )


def sink_call(
    w: Walk, obj: Node | None, owner: str, name: str, args: list[Val], recv: Val, node: Node
) -> tuple[bool, Val]:
    """(whether the call is a sink, its value). Sinks on built text take the text argument only."""
    first = args[0] if args else EMPTY
    otag = tag(w, obj)
    if name == "exec" and otag == "runtime":
        record(w, ir.COMMAND, "Runtime.exec", node, built(args))
        return True, EMPTY
    if name == "command" and args and (otag == "pb" or "ProcessBuilder" in owner):
        record(w, ir.COMMAND, "ProcessBuilder.command", node, built(args))
        return True, EMPTY
    if obj is not None and args and (name in v.SQL_METHODS or (name == "execute" and otag == "jdbc")):
        record(w, ir.SQL, f"{'Connection' if name.startswith('prepare') else 'Statement'}.{name}", node, first)
        return True, EMPTY
    if name == "execute" and obj is not None and owner.endswith("createStatement()") and args:
        record(w, ir.SQL, "Statement.execute", node, first)
        return True, EMPTY
    if name in v.JPA_METHODS and args:
        record(w, ir.SQL, f"EntityManager.{name}", node, first)
        return True, EMPTY
    if name in v.JDBC_TEMPLATE_METHODS and args and (otag == "jdbc-template" or "jdbc" in owner.lower()):
        record(w, ir.SQL, f"JdbcTemplate.{name}", node, first)
        return True, EMPTY
    if owner == "Files" and name in v.FILES_METHODS and args:
        record(w, ir.PATH, f"Files.{name}", node, first)
        return True, EMPTY
    if name in v.URL_OPENERS and otag == "url":
        record(w, ir.SSRF, f"URL.{name}", node, recv)
        return True, EMPTY
    if owner == "HttpRequest" and name == "newBuilder" and args:
        record(w, ir.SSRF, "HttpRequest.newBuilder", node, first)
        return True, first
    if name == "uri" and args and otag == "httprequest":
        record(w, ir.SSRF, "HttpRequest.Builder.uri", node, first)
        return True, first
    if name == "url" and args and otag == "okhttp":
        record(w, ir.SSRF, "Request.Builder.url", node, first)
        return True, EMPTY
    if name in v.REST_TEMPLATE_METHODS and args and (otag == "rest" or "restTemplate" in owner):
        record(w, ir.SSRF, f"RestTemplate.{name}", node, first)
        return True, EMPTY
    if name in ("readObject", "readUnshared") and otag == "ois":
        record(w, ir.DESERIALIZATION, f"ObjectInputStream.{name}", node, recv)
        return True, EMPTY
    if name in ("load", "loadAs", "loadAll") and otag == "yaml" and args:
        record(w, ir.DESERIALIZATION, f"Yaml.{name}", node, first)
        return True, EMPTY
    if name in ("readValue", "treeToValue") and otag == "mapper-typed" and args:
        record(w, ir.DESERIALIZATION, f"ObjectMapper.{name}", node, first)
        return True, EMPTY
    if name == "fromXML" and args:
        record(w, ir.DESERIALIZATION, "XStream.fromXML", node, first)
        return True, EMPTY
    if name in ("evaluate", "mergeTemplate") and len(args) >= 4 and ("Velocity" in owner or "velocity" in owner):
        record(w, ir.TEMPLATE, f"Velocity.{name}", node, args[3])
        return True, EMPTY
    if name == "replace" and args and (otag == "subst" or "StringSubstitutor" in owner):
        record(w, ir.TEMPLATE, "StringSubstitutor.replace", node, built(args))
        return True, EMPTY
    if name in ("parse", "createXMLStreamReader", "createXMLEventReader", "transform") and otag == "xml" and args:
        sax = "SAX" in owner or w.types.get(owner, "") in ("SAXParser", "XMLReader")
        parse = "SAXParser.parse" if sax else "DocumentBuilder.parse"
        what = {"parse": parse, "transform": "Transformer.transform"}.get(name, f"XMLInputFactory.{name}")
        record(w, ir.XXE, what, node, first)
        return True, EMPTY
    if name == "parseExpression" and args and (otag == "spel" or "Spel" in owner):
        record(w, ir.CODE, "SpelExpressionParser.parseExpression", node, first)
        return True, EMPTY
    if (owner, name) in v.EXPRESSION_STATICS and args:
        record(w, ir.CODE, v.EXPRESSION_STATICS[(owner, name)], node, first)
        return True, EMPTY
    if name in v.LOG_METHODS and args and is_logger(w, obj):
        record(w, v.LOG, f"{owner}.{name}", node, built(args))
        return True, EMPTY
    if name in v.PRINT_METHODS and owner in ("System.out", "System.err") and args:
        record(w, v.LOG, f"{owner}.{name}", node, built(args))
        return True, EMPTY
    return False, EMPTY
