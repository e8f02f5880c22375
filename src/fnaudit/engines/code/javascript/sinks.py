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
    # SSRF at the socket level: connect(port, host) / connect({ host, port }); dgram send(msg, port, host)
    "net.connect": SinkSpec(ir.SSRF, keys=("host",), note="socket"),
    "net.createConnection": SinkSpec(ir.SSRF, keys=("host",), note="socket"),
    "tls.connect": SinkSpec(ir.SSRF, keys=("host",), note="socket"),
    "net.Socket.connect": SinkSpec(ir.SSRF, keys=("host",), note="socket"),
    "tls.TLSSocket.connect": SinkSpec(ir.SSRF, keys=("host",), note="socket"),
    "dgram.Socket.send": SinkSpec(ir.SSRF, note="dgram"),
    "dgram.Socket.connect": SinkSpec(ir.SSRF, keys=("host",), note="socket"),
    # resource amplification (CODE022): a number from the event sizing work
    "Array": SinkSpec(ir.AMPLIFICATION),
    "Array.from": SinkSpec(ir.AMPLIFICATION, keys=("length",), note="keys-only"),
    "Buffer.alloc": SinkSpec(ir.AMPLIFICATION),
    "Buffer.allocUnsafe": SinkSpec(ir.AMPLIFICATION),
    # ReDoS (CODE021): a pattern the caller writes
    "RegExp": SinkSpec(ir.REDOS, note="regexp"),
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

# Keys of an options/params object (any call, v3 commands) that size work: `{ Limit: n }` (CODE022).
AMPLIFICATION_KEYS = ("Limit", "MaxKeys", "PageSize", "MaxItems", "MaxResults", "MaxRecords", "MaxNumberOfMessages")
# Methods sizing work by a number argument on any receiver: `"x".repeat(n)`, sharp/Jimp `resize(w, h)`.
AMPLIFICATION_METHODS: dict[str, tuple[int, ...]] = {"repeat": (0,), "resize": (0, 1)}
AMPLIFICATION_METHOD_KEYS = ("width", "height")
# Timers: the delay argument.
TIMERS = frozenset({"setTimeout", "setInterval"})
# Numeric casts: no text left, but a number the caller chose (CODE022).
NUMERIC_CASTS = frozenset(
    {
        "Number",
        "parseInt",
        "parseFloat",
        "Number.parseInt",
        "Number.parseFloat",
        "BigInt",
        "Math.floor",
        "Math.round",
        "Math.ceil",
        "Math.abs",
        "Math.trunc",
        "Math.max",
    }
)
BOUNDING_CALLS = frozenset({"Math.min"})
# Regex methods: `re.test(s)` / `re.exec(s)` on the regex; `s.match(re)`, `s.replace(re, …)` on the string.
REGEX_METHODS = frozenset({"test", "exec"})
STRING_REGEX_METHODS = frozenset({"match", "matchAll", "replace", "replaceAll", "search", "split"})

# S3 writes (CODE023): v2 `s3.putObject(params)` / `s3.upload(params)`, v3 `PutObjectCommand`, lib-storage `Upload`.
S3_PUT_METHODS = frozenset({"putObject", "upload"})
S3_PUT_COMMANDS = frozenset({"PutObjectCommand"})
HTML_CONTENT_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml")

# Writes to the app's data stores (`store` sink, for second-order flows): the paths to the stored data inside
# the params object (`*`: any key or element of a literal); the key and the resource written to are not data.
# A call counts only when its params object names the first key of a path: that is what makes `put(...)` a
# DynamoDB write rather than a Map's.
STORE_ANY = "*"
_ITEM = (("Item",),)
_UPDATE = (("ExpressionAttributeValues",),)
_BATCH = (("RequestItems", STORE_ANY, STORE_ANY, "PutRequest", "Item"),)
_MESSAGE = (("MessageBody",),)
_MESSAGES = (("Entries", STORE_ANY, "MessageBody"),)
_BODY = (("Body",),)
_RECORDS = (("Records", STORE_ANY, "Data"),)
_EVENTS = (("Entries", STORE_ANY, "Detail"),)
_INPUT = (("input",),)
# v2 clients and DocumentClient, v3 aggregated clients and DynamoDBDocument: by method name.
STORE_METHODS: dict[str, tuple[tuple[str, ...], ...]] = {
    "put": _ITEM,
    "putItem": _ITEM,
    "update": _UPDATE,
    "updateItem": _UPDATE,
    "batchWrite": _BATCH,
    "batchWriteItem": _BATCH,
    "sendMessage": _MESSAGE,
    "sendMessageBatch": _MESSAGES,
    "publish": (("Message",),),
    "putObject": _BODY,
    "upload": _BODY,
    "putRecord": (("Data",),),
    "putRecords": _RECORDS,
    "putEvents": _EVENTS,
    "startExecution": _INPUT,
    "startSyncExecution": _INPUT,
}
# v3: `new XCommand(input)` (client-* and lib-dynamodb), lib-storage `new Upload({ client, params })`.
STORE_COMMANDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "PutCommand": _ITEM,
    "PutItemCommand": _ITEM,
    "UpdateCommand": _UPDATE,
    "UpdateItemCommand": _UPDATE,
    "BatchWriteCommand": _BATCH,
    "BatchWriteItemCommand": _BATCH,
    "SendMessageCommand": _MESSAGE,
    "SendMessageBatchCommand": _MESSAGES,
    "PublishCommand": (("Message",),),
    "PutObjectCommand": _BODY,
    "PutRecordCommand": (("Data",),),
    "PutRecordsCommand": _RECORDS,
    "PutEventsCommand": _EVENTS,
    "StartExecutionCommand": _INPUT,
    "StartSyncExecutionCommand": _INPUT,
    "Upload": (("params", "Body"),),
}

# Secrets fetched at runtime (CODE014 when logged): v2 methods, v3 commands (label), extension.
SECRET_METHODS = {"getSecretValue": "Secrets Manager, getSecretValue"}
SECRET_COMMANDS = {"GetSecretValueCommand": "Secrets Manager, GetSecretValueCommand"}
DECRYPTED_PARAMETER_METHODS = frozenset({"getParameter", "getParameters", "getParametersByPath"})
DECRYPTED_PARAMETER_COMMANDS = frozenset({"GetParameterCommand", "GetParametersCommand", "GetParametersByPathCommand"})
SECRETS_EXTENSION_HEADER = "x-aws-parameters-secrets-token"
SECRETS_EXTENSION_PORT = ":2773"

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
        "Boolean",
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
    "escape-string-regexp": frozenset({ir.REDOS}),
    "lodash.escapeRegExp": frozenset({ir.REDOS}),
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
# HTML escaping makes text safe in a stored page too (CODE023), not only in a response.
SANITISERS_FOR = {k: (v | {ir.STORED_XSS} if ir.XSS in v else v) for k, v in SANITISERS_FOR.items()}

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
        "querystring.unescape",  # S3 event keys arrive URL-encoded: decoding keeps the attacker's text
        "querystring.unescapeBuffer",
    }
)

# Callbacks an API hands data derived from its arguments (by its semantics: `fs.readFile(path, cb)` gives the
# file's content, not the path's text, so it is not here): API → (the arguments whose data the callback
# receives, the callback parameter that receives it). Callbacks of other calls are walked with unknown values.
CALLBACK_DATA: dict[str, tuple[tuple[int, ...], int]] = {
    **{f"zlib.{n}": ((0,), 1) for n in ("gunzip", "inflate", "inflateRaw", "unzip", "brotliDecompress")},
    "xml2js.parseString": ((0,), 1),
    "csv-parse.parse": ((0,), 1),
    "csv-parse/sync.parse": ((0,), 1),
}
# The same, matched by method name on any receiver: `new xml2js.Parser().parseString(xml, cb)`.
CALLBACK_DATA_METHODS: dict[str, tuple[tuple[int, ...], int]] = {"parseString": ((0,), 1)}
# Callbacks called with the call's trailing arguments: `setTimeout(fn, ms, a)` calls `fn(a)` (first trailing index).
CALLBACK_TRAILING: dict[str, int] = {"setTimeout": 2, "setInterval": 2, "setImmediate": 1, "process.nextTick": 1}
# Iterators calling their callback with each element of argument 0 (`async.each(xs, (x, done) => …)`).
ELEMENT_ITERATORS = frozenset(
    {
        "Array.from",
        *(
            f"async.{n}"
            for n in (
                "each",
                "eachSeries",
                "eachLimit",
                "forEach",
                "forEachSeries",
                "forEachLimit",
                "map",
                "mapSeries",
                "mapLimit",
                "filter",
                "filterSeries",
                "concat",
                "concatSeries",
            )
        ),
        # lodash collection functions (`_.map(xs, fn)`), bluebird's and p-map's concurrent maps
        *(f"lodash.{n}" for n in ("map", "forEach", "each", "filter", "find", "flatMap", "some", "every", "groupBy")),
        *(f"bluebird.{n}" for n in ("map", "mapSeries", "each", "filter")),
        "p-map",
    }
)
# `stream.on("data", (chunk) => …)`, `readline.on("line", …)`: the listener gets the stream's content.
STREAM_EVENT_METHODS = frozenset({"on", "once", "addListener", "prependListener"})
STREAM_DATA_EVENTS = frozenset({"data", "line"})
# Methods writing their arguments into the receiver: a local array, map or set then holds them.
COLLECTION_WRITES = frozenset({"push", "unshift", "set", "add", "splice", "fill"})

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
