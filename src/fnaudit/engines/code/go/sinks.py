"""Go vocabulary: sinks, sanitisers, receiver kinds and the event fields, by the call's qualified name (`pkg.Func`).

Vocabulary only, no logic: the walk (walk.py) looks calls up here.
"""

from __future__ import annotations

from fnaudit.engines.code import ir
from fnaudit.engines.code.taint import ALL

# qualified function → (sink kind, index of the argument that reaches it)
FUNCTION_SINKS: dict[str, tuple[str, int]] = {
    "os.Open": (ir.PATH, 0),
    "os.ReadFile": (ir.PATH, 0),
    "os.Create": (ir.PATH, 0),
    "os.OpenFile": (ir.PATH, 0),
    "os.WriteFile": (ir.PATH, 0),
    "os.Remove": (ir.PATH, 0),
    "os.RemoveAll": (ir.PATH, 0),
    "os.ReadDir": (ir.PATH, 0),
    "ioutil.ReadFile": (ir.PATH, 0),
    "ioutil.WriteFile": (ir.PATH, 0),
    "ioutil.ReadDir": (ir.PATH, 0),
    "http.Get": (ir.SSRF, 0),
    "http.Post": (ir.SSRF, 0),
    "http.Head": (ir.SSRF, 0),
    "http.PostForm": (ir.SSRF, 0),
    "http.NewRequest": (ir.SSRF, 1),
    "http.NewRequestWithContext": (ir.SSRF, 2),
}

# `exec.Command(program, args...)`: index of the program; without a shell only the program is a command
COMMANDS = {"exec.Command": 0, "exec.CommandContext": 1}
SHELLS = frozenset({"sh", "bash", "/bin/sh", "/bin/bash", "zsh", "/usr/bin/env", "cmd", "cmd.exe", "powershell"})

# database/sql methods (on a `*sql.DB`, `*sql.Tx`, `*sql.Conn`) → index of the query text; the other
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
# jmoiron/sqlx adds these (Get/Select take the destination first)
SQLX_METHODS: dict[str, int] = {
    **SQL_METHODS,
    "Queryx": 0,
    "QueryRowx": 0,
    "MustExec": 0,
    "NamedExec": 0,
    "NamedQuery": 0,
    "Preparex": 0,
    "Get": 1,
    "Select": 1,
    "QueryxContext": 1,
    "QueryRowxContext": 1,
    "MustExecContext": 1,
    "NamedExecContext": 1,
    "GetContext": 2,
    "SelectContext": 2,
}
# gorm: raw SQL text, and clauses that take SQL text when given a built string (`?` + args is safe)
GORM_METHODS: dict[str, int] = {
    "Raw": 0,
    "Exec": 0,
    "Where": 0,
    "Or": 0,
    "Not": 0,
    "Having": 0,
    "Order": 0,
    "Group": 0,
    "Joins": 0,
    "Select": 0,
}
# a receiver of unknown type: only the names no other common type uses for something else
UNTYPED_SQL_METHODS: dict[str, int] = {
    **SQL_METHODS,
    "Queryx": 0,
    "QueryRowx": 0,
    "MustExec": 0,
    "Raw": 0,
}
# methods that make a prepared statement of their receiver's connection
PREPARE_METHODS = frozenset({"Prepare", "PrepareContext", "Preparex", "PreparexContext", "PrepareNamed"})
HTTP_CLIENT_METHODS: dict[str, int] = {"Get": 0, "Head": 0, "Post": 0, "PostForm": 0}

# receiver kinds, from the type or constructor text that made the value (`*sqlx.DB`, `gob.NewDecoder`);
# the first marker found in the text wins
RECEIVER_KINDS: tuple[tuple[str, str], ...] = (
    ("Stmt", "stmt"),  # a prepared statement: its Exec/Query arguments are placeholder values
    ("sqlx.", "sqlx"),
    ("gorm.", "gorm"),
    ("sql.", "sql"),
    ("http.Client", "http"),
    ("http.DefaultClient", "http"),
    ("gob.NewDecoder", "gob"),
    ("gob.Decoder", "gob"),
    ("template.", "template"),
    ("regexp.", "regexp"),
    ("slog.", "logger"),
    ("log.Logger", "logger"),
    ("zap.", "logger"),
    ("logrus.", "logger"),
    ("zerolog.", "logger"),
)

# calls whose result is a number, an identifier or an escaped value: nothing of the input flows on
# to the sink kinds named (ALL: to any)
SANITISERS: dict[str, frozenset[str]] = {
    "strconv.Atoi": ALL,
    "strconv.ParseInt": ALL,
    "strconv.ParseUint": ALL,
    "strconv.ParseFloat": ALL,
    "strconv.ParseBool": ALL,
    "strconv.Quote": frozenset({ir.SQL, ir.COMMAND}),
    "uuid.Parse": ALL,
    "uuid.MustParse": ALL,
    "url.PathEscape": ALL,
    "url.QueryEscape": ALL,
    "html.EscapeString": frozenset({ir.XSS}),
    "template.HTMLEscapeString": frozenset({ir.XSS}),
    "filepath.Base": frozenset({ir.PATH}),
    "path.Base": frozenset({ir.PATH}),
    "len": ALL,
}
# calls that fail (a non-nil error) unless their input is a number / UUID: `if err != nil { return }`
# after them pins the input down
VALIDATORS = frozenset({"strconv.Atoi", "strconv.ParseInt", "strconv.ParseUint", "strconv.ParseFloat", "uuid.Parse"})

# calls that decode their first argument into the pointer they are given last (`json.Unmarshal(b, &v)`)
DECODERS = frozenset({"json.Unmarshal", "xml.Unmarshal", "yaml.Unmarshal", "proto.Unmarshal"})

# `events.*` Go field → the key the event document spells (sources.py reads JSON names)
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
    "RequestContext": "requestContext",
    "Authorizer": "authorizer",
    "Records": "Records",
    "S3": "s3",
    "Object": "object",
    "Key": "key",
    "SNS": "Sns",
    "Message": "Message",
    "Subject": "Subject",
    "Change": "dynamodb",
    "NewImage": "NewImage",
    "OldImage": "OldImage",
    "Keys": "Keys",
    "Kinesis": "kinesis",
    "Data": "data",
    "Detail": "detail",
}
# a field spelt differently under SNS (`Records[].Sns.MessageAttributes`) than under SQS (`Records[].messageAttributes`)
SQS_FIELDS = {"MessageAttributes": "messageAttributes"}

# environment reads: `os.Getenv("NAME")` (a secret-named variable is the SECRET root); the whole environment
ENV_READS = frozenset({"os.Getenv", "os.LookupEnv"})
WHOLE_ENV = frozenset({"os.Environ"})

# logging: package functions, and methods of a receiver whose name says it is a logger (`logger.Info`)
LOG_FUNCTIONS = frozenset(
    {
        *(f"fmt.{f}" for f in ("Print", "Printf", "Println")),
        *(f"log.{f}" for f in ("Print", "Printf", "Println", "Fatal", "Fatalf", "Fatalln", "Panic", "Panicf")),
        *(f"slog.{f}" for f in ("Debug", "Info", "Warn", "Error", "Log", "DebugContext", "InfoContext")),
        *(f"slog.{f}" for f in ("WarnContext", "ErrorContext")),
    }
)
# `fmt.Fprintf(os.Stderr, …)`: a log line when written to the standard streams
FPRINT = frozenset({"fmt.Fprint", "fmt.Fprintf", "fmt.Fprintln"})
LOG_METHODS = frozenset(
    {"Print", "Printf", "Println", "Debug", "Debugf", "Info", "Infof", "Warn", "Warnf", "Error", "Errorf", "Fatal"}
    | {"Fatalf", "Debugw", "Infow", "Warnw", "Errorw", "Msg", "Msgf", "Str", "Interface"}
)
LOGGER_SUFFIXES = ("log", "logger", "Log", "Logger", "sugar", "zlog")

# lambda.X(handler…) → index of the handler argument
LAMBDA_STARTS: dict[str, int] = {
    "lambda.Start": 0,
    "lambda.StartWithOptions": 0,
    "lambda.StartWithContext": 1,
    "lambda.StartHandler": 0,
    "lambda.StartHandlerWithContext": 1,
}
