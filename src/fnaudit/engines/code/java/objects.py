"""Objects whose configuration decides whether a later call is a sink: a tag per expression or variable.

An XML factory with or without secure processing (`xml` / `xml-safe`), a SnakeYAML `Yaml` with or without
`SafeConstructor`, a Jackson mapper with default typing (`mapper-typed`), a `URL`, a `ProcessBuilder`...
Tags come from the initializer (`new Yaml()`), the declared type, or a configuring call (`setFeature`).
"""

from __future__ import annotations

from tree_sitter import Node

from fnaudit.engines.code.java import sinks as v
from fnaudit.engines.code.java.parse import simple_type, text
from fnaudit.engines.code.java.state import Walk


def tag(w: Walk, node: Node | None) -> str | None:
    if node is None:
        return None
    t, body = node.type, text(node)
    if t == "identifier":
        name = body
        if name in w.tags:
            return w.tags[name]
        f = w.cls.fields.get(name) if name not in w.env else None
        if f is not None and f.value is not None:
            return tag(w, f.value)
        return _type_tag(w.types.get(name, ""))
    if t == "field_access" and text(node.child_by_field_name("object")) == "this":
        return tag(w, node.child_by_field_name("field"))
    if t == "parenthesized_expression" and node.named_children:
        return tag(w, node.named_children[0])
    if t == "object_creation_expression":
        typ = simple_type(node.child_by_field_name("type"))
        if typ == "Yaml":
            return "yaml-safe" if "SafeConstructor" in body or "SafeLoader" in body else "yaml"
        if typ == "Builder" and "Request.Builder" in body:
            return "okhttp"
        return _type_tag(typ) or ("mapper-typed" if typ in ("ObjectMapper", "JsonMapper") else None)
    if t == "method_invocation":
        obj = node.child_by_field_name("object")
        name = text(node.child_by_field_name("name"))
        owner = text(obj)
        if name in ("newInstance", "newDefaultInstance", "newFactory") and owner.endswith(
            ("DocumentBuilderFactory", "SAXParserFactory", "XMLInputFactory", "SAXParser", "TransformerFactory")
        ):
            return "xml"
        if name in ("newDocumentBuilder", "newSAXParser", "getXMLReader", "newTransformer"):
            return tag(w, obj)
        if "DefaultTyping" in body and ("Mapper" in body or "mapper" in body):
            return "mapper-typed"
        if owner == "StringSubstitutor" or name == "createInterpolator":
            return "subst"
        if name in ("url", "get", "post", "header", "addHeader") and tag(w, obj) == "okhttp":
            return "okhttp"
        if owner == "Runtime" and name == "getRuntime":
            return "runtime"
        if name == "toURL":  # `URI.create(x).toURL()`, `path.toUri().toURL()`: a URL like `new URL(x)`
            return "url"
        if owner == "HttpRequest" and name == "newBuilder":
            return "httprequest"
        return _type_tag(name[3:]) if name.startswith("get") else None
    return None


_TYPE_TAGS = {
    "ObjectInputStream": "ois",
    "SpelExpressionParser": "spel",
    "ExpressionParser": "spel",
    "StringSubstitutor": "subst",
    "XStream": "xstream",
    "ProcessBuilder": "pb",
    "RestTemplate": "rest",
    "URL": "url",
    "Runtime": "runtime",
    "EntityManager": "jpa",
    "Session": "jpa",
    "ObjectMapper": "mapper",
    "JsonMapper": "mapper",
    **dict.fromkeys(v.JDBC_TEMPLATE_TYPES, "jdbc-template"),
    **dict.fromkeys(v.JDBC_TYPES, "jdbc"),
    **dict.fromkeys(v.LOGGER_TYPES, "logger"),
}


def _type_tag(typ: str) -> str | None:
    return _TYPE_TAGS.get(typ)


def configure(w: Walk, call: Node) -> None:
    """A call of a constructor or initializer that configures a field (`static { MAPPER.enableDefaultTyping(); }`)."""
    obj = call.child_by_field_name("object")
    configure_call(w, obj, text(call.child_by_field_name("name")), call)


def configure_call(w: Walk, obj: Node | None, name: str, call: Node) -> None:
    """A setter that changes what the object's later calls do (secure processing on; default typing on)."""
    if obj is None or obj.type != "identifier":
        return
    key, args = text(obj), text(call.child_by_field_name("arguments"))
    current = tag(w, obj)
    if current == "xml" and (
        (name == "setFeature" and "true" in args and any(f in args for f in v.XML_SAFE_FEATURES))
        or (name == "setFeature" and "false" in args and any(f in args for f in v.XML_SAFE_OFF_FEATURES))
        or (name == "setProperty" and "false" in args and any(p in args for p in v.XML_SAFE_PROPERTIES))
        or (name == "setAttribute" and "ACCESS_EXTERNAL_DTD" in args)
    ):
        w.tags[key] = "xml-safe"
    elif name in ("enableDefaultTyping", "activateDefaultTyping", "enableDefaultTypingAsProperty"):
        w.tags[key] = "mapper-typed"
