"""Sink, sanitiser and propagator tables for JavaScript / TypeScript.

Callees are matched by qualified name after `require` / `import` resolution (`const cp =
require('child_process'); cp.exec(x)` is `child_process.exec`; `import { readFile } from
'fs/promises'` is `fs.readFile`), or by method name on receivers whose type is unknown (a
database client's `query`). Each sink says which arguments are dangerous; the others (query
values, render data) are data, not code.
"""

from __future__ import annotations

from dataclasses import dataclass

from fnaudit.engines.code import ir


@dataclass(frozen=True, slots=True)
class SinkSpec:
    kind: str
    args: tuple[int, ...] = (0,)
    keys: tuple[str, ...] = ()  # keys of an options object argument that are dangerous (axios({url}))
    note: str = ""


_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
_FS_ONE = (
    "readFile",
    "readFileSync",
    "writeFile",
    "writeFileSync",
    "appendFile",
    "appendFileSync",
    "unlink",
    "unlinkSync",
    "createReadStream",
    "createWriteStream",
    "readdir",
    "readdirSync",
    "rm",
    "rmSync",
    "rmdir",
    "rmdirSync",
    "mkdir",
    "mkdirSync",
    "open",
    "openSync",
    "truncate",
    "truncateSync",
    "chmod",
    "chmodSync",
    "opendir",
    "readlink",
    "lstat",
)
_FS_TWO = (
    "copyFile",
    "copyFileSync",
    "rename",
    "renameSync",
    "symlink",
    "symlinkSync",
    "link",
    "linkSync",
    "cp",
    "cpSync",
)

FUNCTION_SINKS: dict[str, SinkSpec] = {
    # OS command
    "child_process.exec": SinkSpec(ir.COMMAND),
    "child_process.execSync": SinkSpec(ir.COMMAND),
    **{
        f"child_process.{n}": SinkSpec(ir.COMMAND, note="spawn")
        for n in ("spawn", "spawnSync", "execFile", "execFileSync", "fork")
    },
    "shelljs.exec": SinkSpec(ir.COMMAND),
    "execa.execaCommand": SinkSpec(ir.COMMAND),
    "execa.execaCommandSync": SinkSpec(ir.COMMAND),
    "execa.command": SinkSpec(ir.COMMAND),
    "execa": SinkSpec(ir.COMMAND, note="spawn"),
    "execa.execa": SinkSpec(ir.COMMAND, note="spawn"),
    # code evaluation
    "eval": SinkSpec(ir.CODE),
    "Function": SinkSpec(ir.CODE, args=(0, 1, 2, 3, 4, 5)),
    "setTimeout": SinkSpec(ir.CODE),
    "setInterval": SinkSpec(ir.CODE),
    "setImmediate": SinkSpec(ir.CODE),
    "vm.runInThisContext": SinkSpec(ir.CODE),
    "vm.runInNewContext": SinkSpec(ir.CODE),
    "vm.runInContext": SinkSpec(ir.CODE),
    "vm.compileFunction": SinkSpec(ir.CODE),
    "vm.Script": SinkSpec(ir.CODE),
    "vm.SourceTextModule": SinkSpec(ir.CODE),
    "vm2.VM.run": SinkSpec(ir.CODE),
    # deserialization
    "node-serialize.unserialize": SinkSpec(ir.DESERIALIZATION),
    "serialize-to-js.deserialize": SinkSpec(ir.DESERIALIZATION),
    "funcster.deepDeserialize": SinkSpec(ir.DESERIALIZATION),
    "cryo.parse": SinkSpec(ir.DESERIALIZATION),
    "js-yaml.load": SinkSpec(ir.DESERIALIZATION, note="js-yaml"),
    "js-yaml.loadAll": SinkSpec(ir.DESERIALIZATION, note="js-yaml"),
    # file paths
    **{f"fs.{n}": SinkSpec(ir.PATH) for n in _FS_ONE},
    **{f"fs.{n}": SinkSpec(ir.PATH, args=(0, 1)) for n in _FS_TWO},
    **{
        f"fs-extra.{n}": SinkSpec(ir.PATH)
        for n in (*_FS_ONE, "readJson", "readJSON", "outputFile", "remove", "writeJson", "readJsonSync")
    },
    **{f"fs-extra.{n}": SinkSpec(ir.PATH, args=(0, 1)) for n in (*_FS_TWO, "copy", "move")},
    # SSRF
    "fetch": SinkSpec(ir.SSRF, keys=("url",)),
    "node-fetch": SinkSpec(ir.SSRF),
    "cross-fetch": SinkSpec(ir.SSRF),
    "axios": SinkSpec(ir.SSRF, keys=("url", "baseURL")),
    **{f"axios.{n}": SinkSpec(ir.SSRF, keys=("url", "baseURL")) for n in _HTTP_VERBS},
    "got": SinkSpec(ir.SSRF, keys=("url", "prefixUrl")),
    **{f"got.{n}": SinkSpec(ir.SSRF, keys=("url", "prefixUrl")) for n in (*_HTTP_VERBS, "stream")},
    "undici.request": SinkSpec(ir.SSRF),
    "undici.fetch": SinkSpec(ir.SSRF),
    "undici.stream": SinkSpec(ir.SSRF),
    **{
        f"{m}.{n}": SinkSpec(ir.SSRF, keys=("host", "hostname", "path"))
        for m in ("http", "https")
        for n in ("get", "request")
    },
    **{f"superagent.{n}": SinkSpec(ir.SSRF) for n in (*_HTTP_VERBS, "del")},
    "superagent": SinkSpec(ir.SSRF),
    "request": SinkSpec(ir.SSRF, keys=("url", "uri")),
    **{f"request.{n}": SinkSpec(ir.SSRF, keys=("url", "uri")) for n in _HTTP_VERBS},
    **{f"needle.{n}": SinkSpec(ir.SSRF) for n in _HTTP_VERBS},
    "needle": SinkSpec(ir.SSRF, args=(1,)),
    # templates
    "ejs.render": SinkSpec(ir.TEMPLATE),
    "ejs.compile": SinkSpec(ir.TEMPLATE),
    "pug.render": SinkSpec(ir.TEMPLATE),
    "pug.compile": SinkSpec(ir.TEMPLATE),
    "jade.render": SinkSpec(ir.TEMPLATE),
    "jade.compile": SinkSpec(ir.TEMPLATE),
    "handlebars.compile": SinkSpec(ir.TEMPLATE),
    "handlebars.precompile": SinkSpec(ir.TEMPLATE),
    "mustache.render": SinkSpec(ir.TEMPLATE),
    "nunjucks.renderString": SinkSpec(ir.TEMPLATE),
    "lodash.template": SinkSpec(ir.TEMPLATE),
    "lodash.template.default": SinkSpec(ir.TEMPLATE),
    "dot.template": SinkSpec(ir.TEMPLATE),
    # XML with entity expansion
    "libxmljs.parseXml": SinkSpec(ir.XXE, note="libxml"),
    "libxmljs.parseXmlString": SinkSpec(ir.XXE, note="libxml"),
    "libxmljs2.parseXml": SinkSpec(ir.XXE, note="libxml"),
    "libxmljs2.parseXmlString": SinkSpec(ir.XXE, note="libxml"),
}

# Module aliases: `fs/promises`, `node:fs`, `fs.promises.*` are all `fs`; `handlebars/runtime`…
MODULE_ALIASES = {
    "fs/promises": "fs",
    "graceful-fs": "fs",
    "node-fetch": "node-fetch",
    "lodash.template": "lodash.template",
    "lodash-es": "lodash",
    "underscore": "lodash",
    "yamljs": "yamljs",
    "libxmljs2": "libxmljs2",
}

# Methods matched by name on any receiver (database clients, query builders).
SQL_METHODS: dict[str, SinkSpec] = {
    "query": SinkSpec(ir.SQL, keys=("text", "sql"), note="sql-or-dynamo"),
    "execute": SinkSpec(ir.SQL, keys=("text", "sql"), note="sql-or-dynamo"),
    "raw": SinkSpec(ir.SQL, note="knex"),
    "whereRaw": SinkSpec(ir.SQL),
    "orWhereRaw": SinkSpec(ir.SQL),
    "havingRaw": SinkSpec(ir.SQL),
    "orderByRaw": SinkSpec(ir.SQL),
    "joinRaw": SinkSpec(ir.SQL),
    "groupByRaw": SinkSpec(ir.SQL),
    "$queryRawUnsafe": SinkSpec(ir.SQL),
    "$executeRawUnsafe": SinkSpec(ir.SQL),
    "unsafe": SinkSpec(ir.SQL),
    "literal": SinkSpec(ir.SQL, note="sequelize-literal"),
}

# DynamoDB: params keys holding expressions (v2 DocumentClient / client methods and v3 commands).
DYNAMO_EXPRESSION_KEYS = (
    "KeyConditionExpression",
    "FilterExpression",
    "UpdateExpression",
    "ConditionExpression",
    "ProjectionExpression",
    "Statement",
    "Statements",
    "TransactStatements",
    "KeyConditions",
)
DYNAMO_METHODS = frozenset(
    {
        "query",
        "scan",
        "get",
        "put",
        "update",
        "delete",
        "getItem",
        "putItem",
        "updateItem",
        "deleteItem",
        "executeStatement",
        "batchExecuteStatement",
        "executeTransaction",
        "transactWrite",
        "transactWriteItems",
    }
)
DYNAMO_COMMANDS = frozenset(
    {
        "QueryCommand",
        "ScanCommand",
        "GetCommand",
        "PutCommand",
        "UpdateCommand",
        "DeleteCommand",
        "GetItemCommand",
        "PutItemCommand",
        "UpdateItemCommand",
        "DeleteItemCommand",
        "ExecuteStatementCommand",
        "BatchExecuteStatementCommand",
        "ExecuteTransactionCommand",
        "TransactWriteCommand",
        "TransactWriteItemsCommand",
    }
)

# Mongo: a `$where` operator or an operator object from parsed input in a filter.
MONGO_METHODS = frozenset(
    {
        "find",
        "findOne",
        "findOneAndUpdate",
        "findOneAndDelete",
        "findOneAndReplace",
        "countDocuments",
        "deleteMany",
        "deleteOne",
        "updateOne",
        "updateMany",
        "aggregate",
        "count",
        "distinct",
        "exists",
        "where",
    }
)

# Calls whose result carries no attacker-controlled text.
SANITISERS_ALL = frozenset(
    {
        "Number",
        "parseInt",
        "parseFloat",
        "Boolean",
        "Math.floor",
        "Math.round",
        "Math.ceil",
        "Math.abs",
        "Math.min",
        "Math.max",
        "Math.trunc",
        "Number.parseInt",
        "Number.parseFloat",
        "BigInt",
        "Date.parse",
        "isNaN",
        "Number.isInteger",
        "Number.isFinite",
        "Array.isArray",
        "crypto.randomUUID",
        "uuid.v4",
        "uuid.validate",
        "validator.toInt",
        "validator.toFloat",
        "validator.toBoolean",
        "validator.isUUID",
        "validator.isInt",
        "validator.isEmail",
        "validator.isNumeric",
        "validator.isAlphanumeric",
        "libxmljs.parseXml.safe",
    }
)

SANITISERS_FOR: dict[str, frozenset[str]] = {
    "path.basename": frozenset({ir.PATH}),
    "path.posix.basename": frozenset({ir.PATH}),
    "sanitize-filename": frozenset({ir.PATH}),
    "escape-html": frozenset({ir.XSS}),
    "validator.escape": frozenset({ir.XSS}),
    "he.encode": frozenset({ir.XSS}),
    "he.escape": frozenset({ir.XSS}),
    "lodash.escape": frozenset({ir.XSS}),
    "xss": frozenset({ir.XSS}),
    "sanitize-html": frozenset({ir.XSS}),
    "dompurify.sanitize": frozenset({ir.XSS}),
    "isomorphic-dompurify.sanitize": frozenset({ir.XSS}),
    "encodeURIComponent": frozenset({ir.XSS, ir.PATH, ir.REDIRECT, ir.COMMAND, ir.SQL}),
    "querystring.escape": frozenset({ir.XSS, ir.PATH, ir.REDIRECT, ir.COMMAND}),
    "shell-quote.quote": frozenset({ir.COMMAND}),
    "shell-escape": frozenset({ir.COMMAND}),
    "mysql.escape": frozenset({ir.SQL}),
    "mysql2.escape": frozenset({ir.SQL}),
    "mysql.format": frozenset({ir.SQL}),
    "mysql2.format": frozenset({ir.SQL}),
    "sqlstring.escape": frozenset({ir.SQL}),
    "sqlstring.format": frozenset({ir.SQL}),
    "pg-format": frozenset({ir.SQL}),
    "pg.escapeLiteral": frozenset({ir.SQL}),
    "String": frozenset({ir.NOSQL}),
}
# Methods that sanitise whatever receiver they are called on (`connection.escape(x)`).
SANITISING_METHODS: dict[str, frozenset[str]] = {
    "escape": frozenset({ir.SQL}),
    "escapeId": frozenset({ir.SQL}),
    "escapeLiteral": frozenset({ir.SQL}),
    "escapeIdentifier": frozenset({ir.SQL}),
}

NORMALISERS = frozenset(
    {
        "path.resolve",
        "path.normalize",
        "path.join",
        "path.posix.resolve",
        "path.posix.join",
        "fs.realpathSync",
        "fs.realpath",
    }
)
NORMALISED = "normalised"

# Calls that keep their argument's structure: JSON.parse(body).id is body's "id".
STRUCTURE_KEEPING = frozenset(
    {
        "JSON.parse",
        "structuredClone",
        "Object.assign",
        "lodash.cloneDeep",
        "lodash.clone",
        "querystring.parse",
        "qs.parse",
        "Buffer.from",
        "atob",
        "decodeURIComponent",
        "decodeURI",
        "unescape",
        "Object.freeze",
        "Promise.resolve",
        "Promise.all",
        "Promise.allSettled",
        "lodash.get",
    }
)

# String methods: the result is text built from the receiver (and from the arguments for concat/replace/join).
STRING_METHODS = frozenset(
    {
        "trim",
        "trimStart",
        "trimEnd",
        "toLowerCase",
        "toUpperCase",
        "toLocaleLowerCase",
        "toLocaleUpperCase",
        "slice",
        "substring",
        "substr",
        "padStart",
        "padEnd",
        "repeat",
        "normalize",
        "split",
        "toString",
        "valueOf",
        "at",
        "charAt",
        "concat",
        "replace",
        "replaceAll",
        "join",
        "flat",
        "reverse",
        "sort",
        "entries",
        "values",
        "keys",
        "map",
        "filter",
        "find",
        "findLast",
        "reduce",
        "flatMap",
        "from",
        "match",
        "matchAll",
        "exec",
    }
)
ARG_STRING_METHODS = frozenset({"concat", "replace", "replaceAll", "padStart", "padEnd"})
ELEMENT_METHODS = frozenset(
    {"map", "forEach", "filter", "flatMap", "some", "every", "find", "findLast", "findIndex", "reduce", "reduceRight"}
)
CLEAN_METHODS = frozenset(
    {
        "length",
        "indexOf",
        "lastIndexOf",
        "includes",
        "startsWith",
        "endsWith",
        "test",
        "search",
        "localeCompare",
        "digest",
        "getTime",
        "has",
        "charCodeAt",
        "codePointAt",
        "some",
        "every",
        "findIndex",
        "isValid",
    }
)

LOG_METHODS = frozenset({"log", "info", "warn", "error", "debug", "trace", "fatal", "dir", "table", "verbose", "silly"})
LOGGER_NAMES = frozenset({"console", "logger", "log", "LOGGER", "LOG", "pino", "winston", "bunyan"})
MUTATORS = frozenset({"push", "unshift", "set", "add", "splice", "fill", "assign"})

SAFE_YAML_FUNCS = frozenset({"safeLoad", "safeLoadAll"})
UNSAFE_YAML_SCHEMAS = frozenset({"DEFAULT_FULL_SCHEMA", "FULL_SCHEMA"})
