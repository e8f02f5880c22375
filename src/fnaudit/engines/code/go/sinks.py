"""Go vocabulary: sinks, sanitisers and the event fields, by the call's qualified name (`pkg.Func`).

Vocabulary only, no logic: the walk (walk.py) looks calls up here.
"""

from __future__ import annotations

from fnaudit.engines.code import ir

# qualified function → (sink kind, index of the argument that reaches it)
FUNCTION_SINKS: dict[str, tuple[str, int]] = {
    "exec.Command": (ir.COMMAND, -1),  # -1: every argument (the program or its shell script)
    "exec.CommandContext": (ir.COMMAND, -1),
    "os.Open": (ir.PATH, 0),
    "os.ReadFile": (ir.PATH, 0),
    "os.Create": (ir.PATH, 0),
    "os.OpenFile": (ir.PATH, 0),
    "ioutil.ReadFile": (ir.PATH, 0),
    "http.Get": (ir.SSRF, 0),
    "http.Post": (ir.SSRF, 0),
    "http.Head": (ir.SSRF, 0),
    "http.NewRequest": (ir.SSRF, 1),
    "http.NewRequestWithContext": (ir.SSRF, 2),
}

# database/sql methods (on any receiver: `db`, `tx`, `conn`) → index of the query text; the other
# arguments are placeholder values, which are safe
SQL_METHODS: dict[str, int] = {
    "Query": 0,
    "Exec": 0,
    "QueryRow": 0,
    "Prepare": 0,
    "QueryContext": 1,
    "ExecContext": 1,
    "QueryRowContext": 1,
    "PrepareContext": 1,
}

# calls whose result is a number or an escaped value: nothing of the input flows on
SANITISERS = frozenset(
    {
        "strconv.Atoi",
        "strconv.ParseInt",
        "strconv.ParseUint",
        "strconv.ParseFloat",
        "strconv.ParseBool",
        "url.PathEscape",
        "url.QueryEscape",
        "filepath.Base",
        "path.Base",
        "len",
    }
)

# `events.*Request` fields → the key the event document spells (sources.py reads JSON names)
EVENT_FIELDS = {
    "Body": "body",
    "QueryStringParameters": "queryStringParameters",
    "MultiValueQueryStringParameters": "multiValueQueryStringParameters",
    "PathParameters": "pathParameters",
    "Headers": "headers",
    "MultiValueHeaders": "multiValueHeaders",
    "Cookies": "cookies",
    "RawPath": "rawPath",
    "RawQueryString": "rawQueryString",
    "Path": "path",
    "Records": "Records",
}

LAMBDA_STARTS = frozenset({"lambda.Start", "lambda.StartWithOptions", "lambda.StartHandler"})
