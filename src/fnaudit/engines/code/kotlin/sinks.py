"""Kotlin vocabulary: sanitisers, propagators and sinks, by function name and receiver.

Vocabulary only, no logic: the walk (walk.py) looks calls up here. The Java library tables (JDBC, JPA,
`Files`, loggers, event getter keys) are plain data shared with the Java front end, imported read-only:
Kotlin calls the same Java libraries by the same names.
"""

from __future__ import annotations

from fnaudit.engines.code.java import sinks as java

GETTER_KEYS = java.GETTER_KEYS
CAPITALISED_UNDER = java.CAPITALISED_UNDER
SQL_METHODS = java.SQL_METHODS
JDBC_TYPES = java.JDBC_TYPES
JPA_METHODS = java.JPA_METHODS
JDBC_TEMPLATE_TYPES = java.JDBC_TEMPLATE_TYPES
JDBC_TEMPLATE_METHODS = java.JDBC_TEMPLATE_METHODS
FILES_METHODS = java.FILES_METHODS
PATH_TYPES = java.PATH_TYPES
HTTP_REQUEST_TYPES = java.HTTP_REQUEST_TYPES
LOG_METHODS = java.LOG_METHODS
LOGGER_TYPES = java.LOGGER_TYPES

# Kotlin's number conversions (and Java's parsers): nothing the caller wrote survives as text.
NUMBER_PARSERS = java.NUMBER_PARSERS | frozenset(
    {
        "toInt",
        "toLong",
        "toShort",
        "toByte",
        "toDouble",
        "toFloat",
        "toBigInteger",
        "toBigDecimal",
        "toBoolean",
        "toIntOrNull",
        "toLongOrNull",
        "toShortOrNull",
        "toDoubleOrNull",
        "toFloatOrNull",
        "toBooleanStrict",
        "toBooleanStrictOrNull",
        "toUInt",
        "toULong",
    }
)
OPAQUE_STATICS = java.OPAQUE_STATICS

# Functions and methods whose result is text or data built from the receiver and the arguments.
PROPAGATORS = java.PROPAGATORS | frozenset(
    {
        "lowercase",
        "uppercase",
        "trimStart",
        "trimEnd",
        "trimIndent",
        "trimMargin",
        "removePrefix",
        "removeSuffix",
        "substringBefore",
        "substringAfter",
        "padStart",
        "padEnd",
        "orEmpty",
        "ifEmpty",
        "ifBlank",
        "plus",
        "joinToString",
        "take",
        "drop",
        "first",
        "firstOrNull",
        "last",
        "lastOrNull",
        "single",
        "singleOrNull",
        "getValue",
        "toList",
        "toTypedArray",
        "toMutableList",
        "listOf",
        "arrayOf",
        "mutableListOf",
        "setOf",
        "mapOf",
        "requireNotNull",
        "checkNotNull",
        "encodeToByteArray",
        "decodeToString",
        "toByteArray",
        "readText",
        "readLines",
        "readBytes",
        "bufferedReader",
        "reader",
    }
)
# Scope functions whose lambda receives the receiver (`x.let { it }`), and those that iterate over it.
SCOPE_FUNCTIONS = frozenset({"let", "also", "run", "apply", "takeIf", "takeUnless"})
ITERATORS = frozenset({"forEach", "forEachIndexed", "map", "mapNotNull", "filter", "onEach", "flatMap"})

# Constructors that wrap their argument (readers, builders, URLs): the object carries its data.
WRAPPERS = java.WRAPPERS
# `URL(x).openConnection()`, and Kotlin's `URL(x).readText()` extension: the request is sent to `x`.
URL_OPENERS = java.URL_OPENERS | frozenset({"readText", "readBytes"})
# Paths built from text: `Paths.get(x)` / `Path.of(x)` (the path is what a later read or write uses).
PATH_FACTORIES = frozenset({("Paths", "get"), ("Path", "of")})
PRINT_FUNCTIONS = frozenset({"println", "print"})

LOG = "log"
