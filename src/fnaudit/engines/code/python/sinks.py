"""Sink, sanitiser and propagator tables for Python.

Callees are matched by qualified name after import resolution (`import subprocess as sp;
sp.run(...)` is `subprocess.run`), or by method name for objects whose type is not known
(`cursor.execute`). Each sink says which arguments are dangerous (`args` positions / `kwargs`
names); the others (query parameters, for instance) are data, not code.
"""

from __future__ import annotations

from dataclasses import dataclass

from fnaudit.engines.code import ir


@dataclass(frozen=True, slots=True)
class SinkSpec:
    kind: str
    args: tuple[int, ...] = (0,)
    kwargs: tuple[str, ...] = ()
    receiver: bool = False  # the object the method is called on is the dangerous value (Path(x).open())
    note: str = ""


_SUBPROCESS = ("run", "call", "check_call", "check_output", "Popen")

# Media types a browser renders as a document that runs script: a response body of another type is no XSS.
HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml", "image/svg+xml"})

# Functions by qualified name.
FUNCTION_SINKS: dict[str, SinkSpec] = {
    # OS command
    "os.system": SinkSpec(ir.COMMAND, kwargs=("command",)),
    "os.popen": SinkSpec(ir.COMMAND, kwargs=("cmd",)),
    "subprocess.getoutput": SinkSpec(ir.COMMAND, kwargs=("cmd",)),
    "subprocess.getstatusoutput": SinkSpec(ir.COMMAND, kwargs=("cmd",)),
    "asyncio.create_subprocess_shell": SinkSpec(ir.COMMAND, kwargs=("cmd",)),
    "asyncio.create_subprocess_exec": SinkSpec(ir.COMMAND, kwargs=("program",)),
    **{f"subprocess.{n}": SinkSpec(ir.COMMAND, kwargs=("args",), note="subprocess") for n in _SUBPROCESS},
    **{
        f"os.{n}": SinkSpec(ir.COMMAND, args=(0, 1), kwargs=("path", "file"))
        for n in ("execl", "execlp", "execv", "execvp", "execve", "spawnl", "spawnv")
    },
    # code evaluation
    "eval": SinkSpec(ir.CODE, kwargs=("source",)),
    "exec": SinkSpec(ir.CODE, kwargs=("source",)),
    "compile": SinkSpec(ir.CODE, kwargs=("source",)),
    "builtins.eval": SinkSpec(ir.CODE),
    "builtins.exec": SinkSpec(ir.CODE),
    # deserialization
    "pickle.loads": SinkSpec(ir.DESERIALIZATION, kwargs=("data",)),
    "pickle.load": SinkSpec(ir.DESERIALIZATION, kwargs=("file",)),
    "_pickle.loads": SinkSpec(ir.DESERIALIZATION),
    "cPickle.loads": SinkSpec(ir.DESERIALIZATION),
    "dill.loads": SinkSpec(ir.DESERIALIZATION),
    "dill.load": SinkSpec(ir.DESERIALIZATION),
    "marshal.loads": SinkSpec(ir.DESERIALIZATION),
    "marshal.load": SinkSpec(ir.DESERIALIZATION),
    "jsonpickle.decode": SinkSpec(ir.DESERIALIZATION, kwargs=("string",)),
    "jsonpickle.loads": SinkSpec(ir.DESERIALIZATION),
    "pandas.read_pickle": SinkSpec(ir.DESERIALIZATION),
    "yaml.load": SinkSpec(ir.DESERIALIZATION, kwargs=("stream",), note="yaml"),
    "yaml.load_all": SinkSpec(ir.DESERIALIZATION, kwargs=("stream",), note="yaml"),
    # web frameworks behind a Lambda adapter: the redirect target
    "flask.redirect": SinkSpec(ir.REDIRECT, kwargs=("location",)),
    "werkzeug.utils.redirect": SinkSpec(ir.REDIRECT, kwargs=("location",)),
    "fastapi.responses.RedirectResponse": SinkSpec(ir.REDIRECT, kwargs=("url",)),
    "starlette.responses.RedirectResponse": SinkSpec(ir.REDIRECT, kwargs=("url",)),
    # ... and an HTML response body
    "fastapi.responses.HTMLResponse": SinkSpec(ir.XSS, kwargs=("content",)),
    "starlette.responses.HTMLResponse": SinkSpec(ir.XSS, kwargs=("content",)),
    # Django views: the response body is HTML unless the view says otherwise; the redirect target
    # (`JsonResponse` is JSON, no sink; `HttpResponse(..., content_type=...)` is HTML only for an HTML type)
    "django.http.HttpResponse": SinkSpec(ir.XSS, kwargs=("content",), note="django-response"),
    "django.http.response.HttpResponse": SinkSpec(ir.XSS, kwargs=("content",), note="django-response"),
    "django.shortcuts.redirect": SinkSpec(ir.REDIRECT, kwargs=("to",)),
    "django.http.HttpResponseRedirect": SinkSpec(ir.REDIRECT, kwargs=("redirect_to",)),
    "django.http.HttpResponsePermanentRedirect": SinkSpec(ir.REDIRECT, kwargs=("redirect_to",)),
    # Chalice's and Powertools' `Response`: an HTML body or a 3xx Location, by the response's own fields
    # (`responses.response_call`; the kind here is only a default, the call decides)
    **{
        q: SinkSpec(ir.XSS, args=(), note="framework-response")
        for q in (
            "chalice.Response",
            "chalice.app.Response",
            "aws_lambda_powertools.event_handler.Response",
            "aws_lambda_powertools.event_handler.api_gateway.Response",
        )
    },
    "yaml.unsafe_load": SinkSpec(ir.DESERIALIZATION),
    "yaml.unsafe_load_all": SinkSpec(ir.DESERIALIZATION),
    # file paths
    "open": SinkSpec(ir.PATH, kwargs=("file",)),
    "io.open": SinkSpec(ir.PATH, kwargs=("file",)),
    "codecs.open": SinkSpec(ir.PATH),
    **{
        f"os.{n}": SinkSpec(ir.PATH, kwargs=("path", "src"))
        for n in (
            "remove",
            "unlink",
            "rmdir",
            "removedirs",
            "mkdir",
            "makedirs",
            "listdir",
            "scandir",
            "walk",
            "chmod",
            "chown",
            "open",
            "truncate",
            "symlink",
            "link",
        )
    },
    **{f"os.{n}": SinkSpec(ir.PATH, args=(0, 1), kwargs=("src", "dst")) for n in ("rename", "replace")},
    **{
        f"shutil.{n}": SinkSpec(ir.PATH, args=(0, 1), kwargs=("src", "dst", "path"))
        for n in (
            "copy",
            "copy2",
            "copyfile",
            "copytree",
            "move",
            "rmtree",
            "copyfileobj",
            "make_archive",
            "unpack_archive",
        )
    },
    "flask.send_file": SinkSpec(ir.PATH),
    # SSRF
    **{
        f"requests.{n}": SinkSpec(ir.SSRF, kwargs=("url",))
        for n in ("get", "post", "put", "patch", "delete", "head", "options")
    },
    "requests.request": SinkSpec(ir.SSRF, args=(1,), kwargs=("url",)),
    **{
        f"httpx.{n}": SinkSpec(ir.SSRF, kwargs=("url",))
        for n in ("get", "post", "put", "patch", "delete", "head", "options")
    },
    "httpx.request": SinkSpec(ir.SSRF, args=(1,), kwargs=("url",)),
    "httpx.stream": SinkSpec(ir.SSRF, args=(1,), kwargs=("url",)),
    "urllib.request.urlopen": SinkSpec(ir.SSRF, kwargs=("url",)),
    "urllib.request.Request": SinkSpec(ir.SSRF, kwargs=("url",)),
    "urllib.request.urlretrieve": SinkSpec(ir.SSRF, kwargs=("url",)),
    "urllib3.request": SinkSpec(ir.SSRF, args=(1,), kwargs=("url",)),
    # SSRF at the socket level: the host (or the `(host, port)` address) of a raw connection
    "socket.create_connection": SinkSpec(ir.SSRF, kwargs=("address",), note="socket"),
    "asyncio.open_connection": SinkSpec(ir.SSRF, kwargs=("host",), note="socket"),
    "telnetlib.Telnet": SinkSpec(ir.SSRF, kwargs=("host",), note="socket"),
    "ftplib.FTP": SinkSpec(ir.SSRF, kwargs=("host",), note="socket"),
    "ftplib.FTP_TLS": SinkSpec(ir.SSRF, kwargs=("host",), note="socket"),
    "smtplib.SMTP": SinkSpec(ir.SSRF, kwargs=("host",), note="socket"),
    "smtplib.SMTP_SSL": SinkSpec(ir.SSRF, kwargs=("host",), note="socket"),
    "poplib.POP3": SinkSpec(ir.SSRF, kwargs=("host",), note="socket"),
    "imaplib.IMAP4": SinkSpec(ir.SSRF, kwargs=("host",), note="socket"),
    "imaplib.IMAP4_SSL": SinkSpec(ir.SSRF, kwargs=("host",), note="socket"),
    "http.client.HTTPConnection": SinkSpec(ir.SSRF, kwargs=("host",), note="socket"),
    "http.client.HTTPSConnection": SinkSpec(ir.SSRF, kwargs=("host",), note="socket"),
    # resource amplification: a number from the event sizing work (CODE022)
    "range": SinkSpec(ir.AMPLIFICATION, args=(0, 1)),
    "time.sleep": SinkSpec(ir.AMPLIFICATION, kwargs=("secs",)),
    "asyncio.sleep": SinkSpec(ir.AMPLIFICATION, kwargs=("delay",)),
    "itertools.repeat": SinkSpec(ir.AMPLIFICATION, args=(1,), kwargs=("times",)),
    # ReDoS (CODE021): the pattern chosen by the caller, or a backtracking pattern given event data
    **{
        f"re.{n}": SinkSpec(ir.REDOS, args=(0, 1), kwargs=("pattern", "string"), note="regex")
        for n in ("match", "search", "fullmatch", "findall", "finditer", "split")
    },
    "re.sub": SinkSpec(ir.REDOS, args=(0, 2), kwargs=("pattern", "string"), note="regex"),
    "re.subn": SinkSpec(ir.REDOS, args=(0, 2), kwargs=("pattern", "string"), note="regex"),
    "re.compile": SinkSpec(ir.REDOS, kwargs=("pattern",), note="regex"),
    # SQL (functions)
    "sqlalchemy.text": SinkSpec(ir.SQL, kwargs=("text",)),
    "sqlalchemy.sql.text": SinkSpec(ir.SQL, kwargs=("text",)),
    "sqlalchemy.sql.expression.text": SinkSpec(ir.SQL, kwargs=("text",)),
    "pandas.read_sql": SinkSpec(ir.SQL, kwargs=("sql",)),
    "pandas.read_sql_query": SinkSpec(ir.SQL, kwargs=("sql",)),
    # templates
    "jinja2.Template": SinkSpec(ir.TEMPLATE, kwargs=("source",)),
    "mako.template.Template": SinkSpec(ir.TEMPLATE, kwargs=("text",)),
    "flask.render_template_string": SinkSpec(ir.TEMPLATE, kwargs=("source",)),
    # XML with entity resolution (lxml resolves entities unless told not to)
    "lxml.etree.fromstring": SinkSpec(ir.XXE, kwargs=("text",), note="lxml"),
    "lxml.etree.XML": SinkSpec(ir.XXE, kwargs=("text",), note="lxml"),
    "lxml.etree.parse": SinkSpec(ir.XXE, kwargs=("source",), note="lxml"),
    "lxml.etree.iterparse": SinkSpec(ir.XXE, kwargs=("source",), note="lxml"),
    "xml.dom.pulldom.parseString": SinkSpec(ir.XXE, note="sax-feature"),
    "xml.sax.parseString": SinkSpec(ir.XXE, note="sax-feature"),
}

# Methods of objects whose construction we saw (qualified constructor + "." + method).
TYPED_METHOD_SINKS: dict[str, SinkSpec] = {
    **{
        f"requests.Session.{n}": SinkSpec(ir.SSRF, kwargs=("url",))
        for n in ("get", "post", "put", "patch", "delete", "head", "options")
    },
    "requests.Session.request": SinkSpec(ir.SSRF, args=(1,), kwargs=("url",)),
    **{
        f"httpx.Client.{n}": SinkSpec(ir.SSRF, kwargs=("url",))
        for n in ("get", "post", "put", "patch", "delete", "head", "options")
    },
    **{
        f"httpx.AsyncClient.{n}": SinkSpec(ir.SSRF, kwargs=("url",))
        for n in ("get", "post", "put", "patch", "delete", "head", "options")
    },
    **{
        f"aiohttp.ClientSession.{n}": SinkSpec(ir.SSRF, kwargs=("url",))
        for n in ("get", "post", "put", "patch", "delete", "head", "options")
    },
    "aiohttp.ClientSession.request": SinkSpec(ir.SSRF, args=(1,), kwargs=("url",)),
    "urllib3.PoolManager.request": SinkSpec(ir.SSRF, args=(1,), kwargs=("url",)),
    "urllib3.PoolManager.urlopen": SinkSpec(ir.SSRF, args=(1,), kwargs=("url",)),
    "jinja2.Environment.from_string": SinkSpec(ir.TEMPLATE, kwargs=("source",)),
    "lxml.etree.XMLParser.feed": SinkSpec(ir.XXE),
    "socket.socket.connect": SinkSpec(ir.SSRF, kwargs=("address",), note="socket"),
    "socket.socket.connect_ex": SinkSpec(ir.SSRF, kwargs=("address",), note="socket"),
    "socket.socket.sendto": SinkSpec(ir.SSRF, args=(1, 2), kwargs=("address",), note="socket"),
}

# Methods matched by name on any receiver (DB-API cursors and connections, SQLAlchemy, boto3 DynamoDB).
METHOD_SINKS: dict[str, SinkSpec] = {
    "execute": SinkSpec(ir.SQL, kwargs=("query", "operation", "sql", "statement"), note="dbapi"),
    "executemany": SinkSpec(ir.SQL, kwargs=("query", "operation", "sql"), note="dbapi"),
    "executescript": SinkSpec(ir.SQL, kwargs=("sql_script",), note="dbapi"),
    "exec_driver_sql": SinkSpec(ir.SQL, kwargs=("statement",)),
    "mogrify": SinkSpec(ir.SQL, kwargs=("query",)),
    "raw": SinkSpec(ir.SQL, kwargs=("raw_query",), note="django"),
    # Django's QuerySet.extra(where=[...]): raw SQL fragments, by keyword only (`extra` is a common name)
    "extra": SinkSpec(ir.SQL, args=(), kwargs=("where", "select", "tables", "order_by"), note="django"),
    # DynamoDB expressions and PartiQL (boto3 client, resource Table)
    "scan": SinkSpec(ir.NOSQL, args=(), kwargs=("FilterExpression", "ProjectionExpression"), note="dynamodb"),
    "query": SinkSpec(
        ir.NOSQL,
        args=(),
        kwargs=("KeyConditionExpression", "FilterExpression", "ProjectionExpression"),
        note="dynamodb",
    ),
    "get_item": SinkSpec(ir.NOSQL, args=(), kwargs=("ProjectionExpression",), note="dynamodb"),
    "put_item": SinkSpec(ir.NOSQL, args=(), kwargs=("ConditionExpression",), note="dynamodb"),
    "delete_item": SinkSpec(ir.NOSQL, args=(), kwargs=("ConditionExpression",), note="dynamodb"),
    "update_item": SinkSpec(ir.NOSQL, args=(), kwargs=("UpdateExpression", "ConditionExpression"), note="dynamodb"),
    "execute_statement": SinkSpec(ir.NOSQL, args=(), kwargs=("Statement",), note="dynamodb"),
    "batch_execute_statement": SinkSpec(ir.NOSQL, args=(), kwargs=("Statements",), note="dynamodb"),
    "execute_transaction": SinkSpec(ir.NOSQL, args=(), kwargs=("TransactStatements",), note="dynamodb"),
    "from_string": SinkSpec(ir.TEMPLATE, kwargs=("source",), note="jinja"),
    # Pillow `Image.resize((w, h))`: the size of the image built in memory
    "resize": SinkSpec(ir.AMPLIFICATION, kwargs=("size",), note="resize"),
    # boto3 S3 transfer helpers: the local file name
    "download_file": SinkSpec(ir.PATH, args=(2,), kwargs=("Filename",), note="s3-transfer"),
    "upload_file": SinkSpec(ir.PATH, args=(0,), kwargs=("Filename",), note="s3-transfer"),
    # pathlib.Path(x).open() & co: the receiver is the path
    **{
        n: SinkSpec(ir.PATH, args=(), receiver=True, note="pathlib")
        for n in (
            "read_text",
            "read_bytes",
            "write_text",
            "write_bytes",
            "unlink",
            "rmdir",
            "touch",
            "mkdir",
            "open",
            "rename",
            "iterdir",
        )
    },
}

# Keyword arguments of any call (boto3 page sizes) that size work: `Limit=n`, `MaxKeys=n`.
AMPLIFICATION_KWARGS = ("Limit", "MaxKeys", "PageSize", "MaxItems", "MaxResults", "MaxRecords", "MaxNumberOfMessages")
# Numeric casts: their result carries no attacker text, but still a number the attacker chose (CODE022).
NUMERIC_CASTS = frozenset({"int", "float", "round", "abs", "complex", "decimal.Decimal"})
# `min(n, BOUND)`: bounded when one argument is not event data.
BOUNDING_CALLS = frozenset({"min"})

# Methods of a regex object compiled from a constant (`P = re.compile("(a+)+$")`): the string is matched.
PATTERN_METHODS = frozenset({"match", "search", "fullmatch", "findall", "finditer", "split", "sub", "subn"})

# S3 writes (CODE023): the stored body, and the content type browsers will render it with.
S3_PUT_METHODS = frozenset({"put_object", "put"})  # client.put_object / s3.Object(b, k).put
S3_UPLOAD_METHODS = frozenset({"upload_fileobj"})  # ExtraArgs={"ContentType": ...}
HTML_CONTENT_TYPES = ("text/html", "image/svg+xml", "application/xhtml+xml", "text/xml", "application/xml")


@dataclass(frozen=True, slots=True)
class StoreSpec:
    """A boto3 write to one of the app's data stores (`store` sink, for second-order flows).

    `payload`: paths to the stored data, starting with a keyword (`*` is any key or element of a literal,
    `Entries=[{"Detail": d}]`); only the stored data counts, not the key or the resource it is written to.
    `arg`: the positional argument holding the payload when there is one (`upload_fileobj(f, bucket, key)`)."""

    payload: tuple[tuple[str, ...], ...]
    arg: int | None = None


STORE_ANY = "*"

# Methods matched by name on any receiver (clients, resource `Table` / `Queue` / `Object`, `batch_writer()`),
# only when the payload keyword is written: a keyword named like boto3's is what makes the call an SDK write.
STORE_METHODS: dict[str, StoreSpec] = {
    # DynamoDB: client, resource Table, batch_writer()
    "put_item": StoreSpec((("Item",),)),
    "update_item": StoreSpec((("ExpressionAttributeValues",),)),
    "batch_write_item": StoreSpec((("RequestItems", STORE_ANY, STORE_ANY, "PutRequest", "Item"),)),
    # SQS: client and resource Queue
    "send_message": StoreSpec((("MessageBody",),)),
    "send_message_batch": StoreSpec((("Entries", STORE_ANY, "MessageBody"),)),
    # SNS: client, resource Topic
    "publish": StoreSpec((("Message",),)),
    # S3: client, resource Object(b, k).put, the transfer helper (the file object)
    "put_object": StoreSpec((("Body",),)),
    "put": StoreSpec((("Body",),)),
    "upload_fileobj": StoreSpec((("Fileobj",),), arg=0),
    # Kinesis
    "put_record": StoreSpec((("Data",),)),
    "put_records": StoreSpec((("Records", STORE_ANY, "Data"),)),
    # EventBridge
    "put_events": StoreSpec((("Entries", STORE_ANY, "Detail"),)),
    # Step Functions
    "start_execution": StoreSpec((("input",),)),
    "start_sync_execution": StoreSpec((("input",),)),
}

# Calls whose result is a secret fetched at runtime (CODE014): method name → label.
SECRET_METHODS = {
    "get_secret_value": "Secrets Manager, get_secret_value",
}
DECRYPTED_PARAMETER_METHODS = frozenset({"get_parameter", "get_parameters", "get_parameters_by_path"})
# The Lambda Parameters and Secrets extension: a local HTTP endpoint that needs this header.
SECRETS_EXTENSION_HEADER = "x-aws-parameters-secrets-token"
SECRETS_EXTENSION_PORT = ":2773"

# Mongo: a `$where` operator whose value is built from event data.
MONGO_METHODS = frozenset(
    {
        "find",
        "find_one",
        "find_one_and_update",
        "find_one_and_delete",
        "count_documents",
        "delete_many",
        "delete_one",
        "update_one",
        "update_many",
        "aggregate",
    }
)

SAFE_YAML_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})

# Calls whose result carries no attacker-controlled text (casts, hashes, validators).
SANITISERS_ALL = frozenset(
    {
        "int",
        "float",
        "bool",
        "complex",
        "len",
        "abs",
        "round",
        "ord",
        "hash",
        "id",
        "isinstance",
        "uuid.UUID",
        "decimal.Decimal",
        "datetime.date.fromisoformat",
        "datetime.datetime.fromisoformat",
        "datetime.datetime.strptime",
        "ipaddress.ip_address",
        "hashlib.sha256",
        "hashlib.sha1",
        "hashlib.md5",
        "hashlib.sha512",
        "hmac.new",
        "hmac.compare_digest",
        "boto3.dynamodb.conditions.Key",
        "boto3.dynamodb.conditions.Attr",
        "defusedxml.ElementTree.fromstring",
        "defusedxml.lxml.fromstring",
        "defusedxml.ElementTree.parse",
        "defusedxml.minidom.parseString",
    }
)

# Calls that make a value safe for some sink kinds only.
SANITISERS_FOR: dict[str, frozenset[str]] = {
    "shlex.quote": frozenset({ir.COMMAND}),
    "re.escape": frozenset({ir.REDOS}),  # the event's text matched literally, not as a pattern
    "pipes.quote": frozenset({ir.COMMAND}),
    "os.path.basename": frozenset({ir.PATH}),
    "werkzeug.utils.secure_filename": frozenset({ir.PATH}),
    "html.escape": frozenset({ir.XSS}),
    "markupsafe.escape": frozenset({ir.XSS}),
    "django.utils.html.escape": frozenset({ir.XSS}),
    "jinja2.escape": frozenset({ir.XSS}),
    "bleach.clean": frozenset({ir.XSS}),
    "cgi.escape": frozenset({ir.XSS}),
    "urllib.parse.quote": frozenset({ir.XSS, ir.PATH, ir.REDIRECT, ir.COMMAND}),
    "urllib.parse.quote_plus": frozenset({ir.XSS, ir.PATH, ir.REDIRECT, ir.COMMAND}),
    "psycopg2.sql.Literal": frozenset({ir.SQL}),
    "psycopg2.sql.Identifier": frozenset({ir.SQL}),
    "psycopg.sql.Literal": frozenset({ir.SQL}),
    "psycopg.sql.Identifier": frozenset({ir.SQL}),
}

# HTML escaping makes text safe in a stored page too (CODE023), not only in a response.
SANITISERS_FOR = {k: (v | {ir.STORED_XSS} if ir.XSS in v else v) for k, v in SANITISERS_FOR.items()}

# Path normalisers: a normalised path checked with `.startswith(BASE)` is safe for file operations.
NORMALISERS = frozenset({"os.path.realpath", "os.path.abspath", "os.path.normpath", "posixpath.realpath"})
NORMALISING_METHODS = frozenset({"resolve", "absolute"})

# Pseudo sink kind marking a normalised (not yet checked) path.
NORMALISED = "normalised"

# Functions that keep their argument's structure (json.loads(body)["id"] is body's "id").
STRUCTURE_KEEPING = frozenset(
    {
        "json.loads",
        "json.load",
        "ujson.loads",
        "orjson.loads",
        "simplejson.loads",
        "copy.copy",
        "copy.deepcopy",
        "dict",
        "urllib.parse.parse_qs",
        "urllib.parse.parse_qsl",
        "base64.b64decode",
        "base64.urlsafe_b64decode",
        "base64.standard_b64decode",
        "ast.literal_eval",
    }
)

# String methods that return text built from the receiver (and their arguments, for join/format/replace).
STRING_METHODS = frozenset(
    {
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "title",
        "casefold",
        "capitalize",
        "swapcase",
        "replace",
        "encode",
        "decode",
        "split",
        "rsplit",
        "splitlines",
        "partition",
        "rpartition",
        "removeprefix",
        "removesuffix",
        "zfill",
        "ljust",
        "rjust",
        "center",
        "expandtabs",
        "translate",
        "format_map",
        "group",
        "groups",
        "groupdict",
        "copy",
        "items",
        "values",
        "keys",
        "pop",
        "popitem",
        "__getitem__",
    }
)
ARG_STRING_METHODS = frozenset({"join", "format", "replace", "format_map"})

LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "fatal"})
LOGGER_NAMES = ("log", "logger", "logging", "LOG", "LOGGER", "_log", "_logger")

# Methods that write into a mutable container (runtime-state checks).
MUTATORS = frozenset({"append", "extend", "add", "update", "insert", "setdefault", "__setitem__", "appendleft", "put"})

# Calls whose result carries the taint of some arguments only: (positions, keyword names).
RESULT_FROM: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "urllib.request.Request": ((0,), ("url",)),  # the request's URL; its body is data
    "requests.Request": ((1,), ("url",)),
    "httpx.Request": ((1,), ("url",)),
    # URL decoding is a propagator, never a sanitiser: an S3 event's key arrives URL-encoded, and the
    # decoded key is the uploader's text (`encoding` / `errors` are the code's own choices)
    "urllib.parse.unquote": ((0,), ("string",)),
    "urllib.parse.unquote_plus": ((0,), ("string",)),
    "urllib.parse.unquote_to_bytes": ((0,), ("string",)),
}
