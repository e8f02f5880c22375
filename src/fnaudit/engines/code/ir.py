"""The language-neutral intermediate facts both analysers (Python, JavaScript) produce.

The classes live in `fnaudit.model.code` (the model must not import the engines); this module
re-exports them and adds the sink-family vocabulary the rules and analysers share.
"""

from __future__ import annotations

from fnaudit.model.code import CodeFacts, Flow, LogLeak, SdkCall, Sink, Source, StateWrite, Step, VerboseError

# Sink families: each is one CODE rule. Analysers must use these names.
SQL = "sql"
COMMAND = "command"
CODE = "code"
DESERIALIZATION = "deserialization"
PATH = "path"
SSRF = "ssrf"
NOSQL = "nosql"
TEMPLATE = "template"
XXE = "xxe"
XSS = "xss"
REDIRECT = "redirect"

SINK_KINDS = (SQL, COMMAND, CODE, DESERIALIZATION, PATH, SSRF, NOSQL, TEMPLATE, XXE, XSS, REDIRECT)

__all__ = [
    "CODE",
    "COMMAND",
    "DESERIALIZATION",
    "NOSQL",
    "PATH",
    "REDIRECT",
    "SINK_KINDS",
    "SQL",
    "SSRF",
    "TEMPLATE",
    "XSS",
    "XXE",
    "CodeFacts",
    "Flow",
    "LogLeak",
    "SdkCall",
    "Sink",
    "Source",
    "StateWrite",
    "Step",
    "VerboseError",
]
