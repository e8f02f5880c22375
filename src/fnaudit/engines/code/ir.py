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
REDOS = "redos"  # event data matched by a backtracking-prone regex, or chosen as the pattern (CODE021)
AMPLIFICATION = "amplification"  # an event number sizing work without an upper bound (CODE022)
STORED_XSS = "stored-xss"  # event data stored to S3 as HTML/SVG, or to a website bucket (CODE023)
# Event data written as the payload of one of the app's data stores (DynamoDB item, SQS message, SNS
# message, S3 object body, Kinesis record, EventBridge detail, Step Functions input). No CODE rule of its
# own: the second-order join pairs it (by the sink line = the `SdkCall` line) with a function the store
# triggers. A number cast (`int(x)`) clears it like the other families: a stored number carries no text
# that could become a payload in the reading function, and pairing it with that function's injection
# sinks would only make false second-order findings.
STORE = "store"
# Event data written by a logging call (`logging.*`, a logger's methods, `console.*`, log4j/slf4j): log
# injection (CODE025), and the call some library advisories need (log4j-core's lookups, PATH005). The
# same events feed `log_leaks` (CODE014: whole events and secrets logged), which reads them apart.
LOG = "log"

SINK_KINDS = (
    SQL,
    COMMAND,
    CODE,
    DESERIALIZATION,
    PATH,
    SSRF,
    NOSQL,
    TEMPLATE,
    XXE,
    XSS,
    REDIRECT,
    REDOS,
    AMPLIFICATION,
    STORED_XSS,
    STORE,
    LOG,
)

# What a numeric cast (`int(x)`, `Number(x)`) clears: every sink family and effect but amplification,
# because a number carries no attacker text, yet still chooses how much work the function does.
NUMBER = "number"  # marker: the value is a number taken from the event
NUMERIC_CLEARED = frozenset({k for k in SINK_KINDS if k != AMPLIFICATION} | {"state-global", "state-tmp", NUMBER})

# Prefix of a pseudo kind a guard clears when it narrows a value without making it safe for that sink
# (`hostname.endswith("example.com")`, no leading dot): "weak-guard:ssrf" keeps the flow, at lower confidence.
WEAK_GUARD = "weak-guard:"

__all__ = [
    "AMPLIFICATION",
    "CODE",
    "COMMAND",
    "DESERIALIZATION",
    "LOG",
    "NOSQL",
    "NUMBER",
    "NUMERIC_CLEARED",
    "PATH",
    "REDIRECT",
    "REDOS",
    "SINK_KINDS",
    "SQL",
    "SSRF",
    "STORE",
    "STORED_XSS",
    "TEMPLATE",
    "WEAK_GUARD",
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
