"""Java vocabulary: event getters, sanitisers, propagators and sinks, by method and receiver.

Vocabulary only, no logic: the walk (walk.py) looks calls up here.
"""

from __future__ import annotations

from fnaudit.engines.code import ir

# Getters of the aws-lambda-java-events classes whose JSON key is not the getter's name with a lowercase
# first letter (`getBody` → `body` needs no entry). The event document's own spelling is what `sources` reads.
GETTER_KEYS = {
    "getRecords": "Records",
    "getSNS": "Sns",
    "getSns": "Sns",
    "getS3": "s3",
    "getUrlDecodedKey": "key",  # S3EventNotification: the object key with its URL encoding undone
    "getEventName": "eventName",
}
# Under these keys the event document capitalises its fields (`Records[].Sns.Message`, `dynamodb.NewImage`).
CAPITALISED_UNDER = frozenset({"Sns", "dynamodb"})

# Calls that turn their input into a number, a UUID or a boolean (or fail): nothing the caller wrote survives.
NUMBER_PARSERS = frozenset(
    {"parseInt", "parseLong", "parseDouble", "parseFloat", "parseShort", "parseBoolean", "parseUnsignedInt"}
)
# (class, method) whose result carries none of the input's text.
OPAQUE_STATICS = frozenset({("UUID", "fromString"), ("UUID", "nameUUIDFromBytes"), ("Boolean", "valueOf")})
# (class, method) → the sink kinds the result is safe for: a bare file name cannot climb out of a folder.
FILE_NAME_ONLY = frozenset({("FilenameUtils", "getName"), ("FilenameUtils", "getBaseName")})

# Methods whose result is text or data built from the receiver and the arguments.
PROPAGATORS = frozenset(
    {
        "format",
        "formatted",
        "valueOf",
        "concat",
        "toString",
        "trim",
        "strip",
        "toLowerCase",
        "toUpperCase",
        "substring",
        "replace",
        "replaceAll",
        "join",
        "append",
        "split",
        "getBytes",
        "toCharArray",
        "decode",
        "readAllBytes",
        "readNBytes",
        "readLine",
        "lines",
        "collect",
        "readTree",
        "readValue",
        "convertValue",
        "fromJson",
        "asText",
        "textValue",
        "toFile",
        "toPath",
        "resolve",
        "resolveSibling",
        "normalize",
        "toAbsolutePath",
        "toURI",
        "toURL",
        "create",
        "of",
        "wrap",
        "array",
        "stream",
        "map",
        "filter",
        "orElse",
        "get",
        "iterator",
        "next",
        "nextLine",
        "build",
        "newBuilder",
        "uri",
        "url",
        "withBody",
        "setBody",
    }
)
# Constructors that wrap their argument (readers, streams, builders): the object carries its data.
WRAPPERS = frozenset(
    {
        "String",
        "StringBuilder",
        "StringBuffer",
        "StringReader",
        "InputStreamReader",
        "BufferedReader",
        "ByteArrayInputStream",
        "InputSource",
        "StreamSource",
        "Scanner",
        "URI",
        "URL",
        "ObjectInputStream",
        "DataInputStream",
        "BufferedInputStream",
        "GZIPInputStream",
        "JSONObject",
    }
)

# JDBC: methods whose first argument is SQL text, on any receiver (their names are JDBC's own).
SQL_METHODS = frozenset(
    {"executeQuery", "executeUpdate", "executeLargeUpdate", "addBatch", "prepareStatement", "prepareCall"}
)
# `execute` is also an HTTP client's, an executor's...: a SQL sink only on a receiver declared as a JDBC type.
JDBC_TYPES = frozenset({"Statement", "PreparedStatement", "CallableStatement", "Connection"})
# JPA / Hibernate: query text built from event data (`?1` / `:name` parameters are the safe form).
JPA_METHODS = frozenset({"createNativeQuery", "createQuery", "createSQLQuery"})
JDBC_TEMPLATE_TYPES = frozenset({"JdbcTemplate", "NamedParameterJdbcTemplate", "JdbcOperations"})
JDBC_TEMPLATE_METHODS = frozenset(
    {"query", "queryForList", "queryForObject", "queryForMap", "queryForRowSet", "update", "execute", "batchUpdate"}
)

FILES_METHODS = frozenset(
    {
        "readAllBytes",
        "readString",
        "readAllLines",
        "lines",
        "newInputStream",
        "newOutputStream",
        "newBufferedReader",
        "newBufferedWriter",
        "write",
        "writeString",
        "delete",
        "deleteIfExists",
        "copy",
        "move",
        "createFile",
        "createDirectories",
        "list",
        "walk",
    }
)
PATH_TYPES = frozenset({"File", "FileInputStream", "FileOutputStream", "FileReader", "FileWriter", "RandomAccessFile"})

# Apache HttpClient request classes: the constructor's argument is the URL fetched.
HTTP_REQUEST_TYPES = frozenset({"HttpGet", "HttpPost", "HttpPut", "HttpDelete", "HttpHead", "HttpPatch", "HttpOptions"})
REST_TEMPLATE_METHODS = frozenset(
    {"getForObject", "getForEntity", "postForObject", "postForEntity", "exchange", "put", "delete", "headForHeaders"}
)
URL_OPENERS = frozenset({"openConnection", "openStream", "getContent"})

# Expression languages: (receiver text, method) → the call's name in findings; the first argument is the expression.
EXPRESSION_STATICS = {
    ("Ognl", "getValue"): "Ognl.getValue",
    ("Ognl", "setValue"): "Ognl.setValue",
    ("Ognl", "parseExpression"): "Ognl.parseExpression",
    ("MVEL", "eval"): "MVEL.eval",
    ("MVEL", "compileExpression"): "MVEL.compileExpression",
    ("MVEL", "evalToString"): "MVEL.evalToString",
}

# Logging: methods of log4j / slf4j / java.util.logging / the Lambda logger; a receiver is a logger when it
# is declared as one or named like one.
LOG_METHODS = frozenset({"trace", "debug", "info", "warn", "warning", "error", "fatal", "severe", "fine", "log"})
LOGGER_TYPES = frozenset({"Logger", "LambdaLogger", "Log", "ExtendedLogger"})
PRINT_METHODS = frozenset({"println", "print", "printf", "format"})

# Feature / property names that turn a JAXP factory safe for untrusted XML.
XML_SAFE_FEATURES = ("disallow-doctype-decl", "FEATURE_SECURE_PROCESSING", "feature/secure-processing")
# ... and the features that make it safe when switched off (external entities / external DTDs not loaded).
XML_SAFE_OFF_FEATURES = ("external-general-entities", "load-external-dtd")
XML_SAFE_PROPERTIES = ("SUPPORT_DTD", "IS_SUPPORTING_EXTERNAL_ENTITIES", "supportDTD", "ACCESS_EXTERNAL_DTD")

# Sink kinds the walk records (all of them come from ir; "log" is the logging effect CODE025 reads).
LOG = "log"
KINDS = (ir.SQL, ir.COMMAND, ir.PATH, ir.SSRF, ir.DESERIALIZATION, ir.TEMPLATE, ir.XXE, ir.CODE, LOG)
