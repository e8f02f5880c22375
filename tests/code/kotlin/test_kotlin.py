"""The Kotlin front end: handlers in classes, objects and top-level functions; event properties, string
templates, sanitisers, sinks, calls followed through summaries, syntax errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

from fnaudit.pipeline import ScanResult
from tests.code.helpers import code_errors, fn, run

_SLS = """\
service: kt
provider:
  name: aws
  runtime: java21
functions:
  api:
    handler: {handler}
    events:
{events}
"""
_HTTP = """\
      - httpApi:
          path: /x
          method: get"""
_SQS = """\
      - sqs:
          arn: arn:aws:sqs:us-east-1:123456789012:jobs"""

_HEAD = """\
package com.acme

import java.io.File
import java.net.URL
import java.nio.file.Paths

"""
_HEAD_LINES = 6  # the body's first line is line 7


def _scan(
    tmp_path: Path,
    body: str,
    handler: str = "com.acme.Handler::handleRequest",
    name: str = "Handler",
    events: str = _HTTP,
) -> ScanResult:
    (tmp_path / "serverless.yml").write_text(_SLS.format(handler=handler, events=events))
    (tmp_path / "build.gradle.kts").write_text('plugins { kotlin("jvm") }\n')
    src = tmp_path / "src/main/kotlin/com/acme"
    src.mkdir(parents=True, exist_ok=True)
    (src / f"{name}.kt").write_text(_HEAD + textwrap.dedent(body))
    return run(tmp_path)


def _flows(result: ScanResult) -> list[tuple[str, int, str, str]]:
    facts = fn(result, "api").code_facts
    assert facts is not None
    return [(f.sink.kind, f.sink.loc.line, f.sink.call, f.source.path) for f in facts.flows]


def test_a_kt_handler_is_kotlin_and_templates_carry_event_properties(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        class Handler : RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {
            override fun handleRequest(input: APIGatewayProxyRequestEvent, context: Context): String {
                val id = input.queryStringParameters?.get("id") ?: ""
                conn.createStatement().executeQuery("SELECT * FROM t WHERE id = '$id'")
                val q = input.queryStringParameters["q"]
                conn.createStatement().executeUpdate("DELETE FROM t WHERE q = '${q.trim()}'")
                conn.createStatement().executeQuery("SELECT * FROM t WHERE b = '" + input.getBody() + "'")
                return ""
            }
        }
        """,
    )
    assert fn(result, "api").code.language == "kotlin"
    assert _flows(result) == [
        ("sql", 10, "Statement.executeQuery", "input.queryStringParameters.id"),
        ("sql", 12, "Statement.executeUpdate", "input.queryStringParameters.q"),
        ("sql", 13, "Statement.executeQuery", "input.body"),
    ]
    assert [(f.rule_id, f.location.path, f.location.line) for f in result.findings if f.rule_id == "CODE001"] == [
        ("CODE001", "src/main/kotlin/com/acme/Handler.kt", 10),
        ("CODE001", "src/main/kotlin/com/acme/Handler.kt", 12),
        ("CODE001", "src/main/kotlin/com/acme/Handler.kt", 13),
    ]


def test_number_conversions_placeholders_and_constants_are_not_flows(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        class Handler {
            fun handleRequest(input: APIGatewayProxyRequestEvent, context: Context): String {
                val a = input.queryStringParameters["a"]!!.toInt()
                val b = input.queryStringParameters["b"]?.toLongOrNull() ?: return "bad"
                conn.createStatement().executeQuery("SELECT * FROM t WHERE a = $a AND b = ${b}")
                val ps = conn.prepareStatement("SELECT * FROM t WHERE c = ?")
                ps.setString(1, input.headers["c"])
                Runtime.getRuntime().exec(arrayOf("uptime"))
                return "$a"
            }
        }
        """,
    )
    assert _flows(result) == []


def test_a_helper_of_the_same_file_is_followed_through_its_summary(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        class Handler {
            fun handleRequest(input: APIGatewayProxyRequestEvent, context: Context): String {
                run(input.pathParameters["cmd"])
                return Paths.get("/data", safe(input.body)).toString()
            }

            private fun run(cmd: String?) = Runtime.getRuntime().exec(cmd)
        }

        fun safe(name: String): String = name.toInt().toString()
        """,
    )
    assert _flows(result) == [("command", 13, "Runtime.exec", "input.pathParameters.cmd")]


def test_an_object_handler_and_process_builder(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        object Handler {
            private val runtime = Runtime.getRuntime()

            fun handle(input: Map<String, Any>, context: Context): String {
                val script = input["body"].toString()
                ProcessBuilder("sh", "-c", script).start()
                runtime.exec("echo " + script)
                return ""
            }
        }
        """,
        handler="com.acme.Handler::handle",
    )
    assert _flows(result) == [
        ("command", 12, "ProcessBuilder", "input.body"),
        ("command", 13, "Runtime.exec", "input.body"),
    ]


def test_a_top_level_function_handler_of_a_kt_file_class(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        fun handle(event: SQSEvent, context: Context) {
            for (msg in event.records) {
                File("/tmp/" + msg.body).delete()
            }
            event.records.forEach { r -> URL(r.body).openConnection() }
        }
        """,
        handler="com.acme.FuncsKt::handle",
        name="Funcs",
        events=_SQS,
    )
    assert fn(result, "api").code.handler_file == "src/main/kotlin/com/acme/Funcs.kt"
    assert _flows(result) == [
        ("path", 9, "File", "event.Records[].body"),
        ("ssrf", 11, "URL.openConnection", "event.Records[].body"),
    ]


def test_allowlists_and_when_on_literals_pin_the_value(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        class Handler {
            fun handleRequest(input: APIGatewayProxyRequestEvent, context: Context): String {
                val sort = input.queryStringParameters["sort"]
                if (sort !in SORTS) return "bad"
                conn.createStatement().executeQuery("SELECT * FROM t ORDER BY $sort")
                val mode = input.queryStringParameters["mode"]
                when (mode) {
                    "a", "b" -> Runtime.getRuntime().exec("run " + mode)
                    else -> Runtime.getRuntime().exec("run " + mode)
                }
                return ""
            }

            companion object {
                private val SORTS = setOf("name", "date")
            }
        }
        """,
    )
    assert _flows(result) == [("command", 15, "Runtime.exec", "input.queryStringParameters.mode")]


def test_snakeyaml_without_safe_constructor_and_loggers(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        class Handler {
            private val log = LoggerFactory.getLogger(Handler::class.java)

            fun handleRequest(input: APIGatewayProxyRequestEvent, context: Context): String {
                Yaml().load<Any>(input.body)
                Yaml(SafeConstructor(LoaderOptions())).load<Any>(input.body)
                log.info("user {}", input.headers["user"])
                return ""
            }
        }
        """,
    )
    # `load<Any>(x)`: the grammar reads a generic call as comparisons; the walk takes it for the call it is
    assert _flows(result) == [
        ("deserialization", 11, "Yaml.load", "input.body"),
        ("log", 13, "log.info", "input.headers.user"),
    ]


def test_a_syntax_error_is_a_code_error(tmp_path: Path) -> None:
    result = _scan(tmp_path, "class Handler {\n    fun handleRequest(input: Any): String {\n")
    assert [(e.path, e.message.split(";")[0]) for e in code_errors(result)] == [
        ("src/main/kotlin/com/acme/Handler.kt", "line 7: Kotlin syntax error")
    ]
    assert fn(result, "api").code_facts is None


def test_a_missing_handler_function_is_not_found_but_imports_are_listed(tmp_path: Path) -> None:
    result = _scan(tmp_path, "class Handler {\n    fun other(s: String) = s\n}\n")
    facts = fn(result, "api").code_facts
    assert facts is not None and facts.handler_found is False
    assert facts.imports == ("java.io.File", "java.net.URL", "java.nio.file.Paths")
    assert facts.files == ("src/main/kotlin/com/acme/Handler.kt",)


def test_sdk_calls_of_built_and_declared_clients_name_their_resources(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        class Handler(private val sqs: SqsClient) {
            private val ddb = DynamoDbClient.create()
            private val s3 = AmazonS3ClientBuilder.defaultClient()

            fun handleRequest(input: APIGatewayProxyRequestEvent, context: Context): String {
                ddb.putItem(PutItemRequest.builder().tableName(TABLE).item(mapOf()).build())
                s3.getObject("reports", input.body)
                sqs.sendMessage { it.queueUrl(System.getenv("QUEUE_URL")) }
                ddb.listTablesPaginator()
                return ""
            }

            companion object {
                const val TABLE = "orders"
            }
        }
        """,
    )
    calls = [(c.service, c.operation, c.resource, c.loc.line, c.confidence) for c in fn(result, "api").sdk_calls]
    assert calls == [
        ("dynamodb", "PutItem", "orders", 12, "high"),
        ("s3", "GetObject", "reports", 13, "high"),
        ("sqs", "SendMessage", "${env:QUEUE_URL}", 14, "medium"),
        ("dynamodb", "ListTables", None, 15, "high"),
    ]


def test_a_property_set_from_the_event_reaches_a_sink_in_another_function(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        class Handler {
            private var customer: String = ""

            fun handleRequest(input: APIGatewayProxyRequestEvent, context: Context): String {
                this.customer = input.headers["x-customer"] ?: ""
                audit()
                return ""
            }

            private fun audit() {
                conn.createStatement().execute("INSERT INTO audit VALUES ('$customer')")
            }
        }
        """,
    )
    assert _flows(result) == [("sql", 17, "Statement.execute", "input.headers.x-customer")]


def test_http_clients_fetching_a_url_from_the_event_are_ssrf(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        class Handler {
            fun handleRequest(input: APIGatewayProxyRequestEvent, context: Context): String {
                val target = input.queryStringParameters["url"]
                client.execute(HttpGet(target))
                HttpRequest.newBuilder(URI.create(target)).build()
                HttpRequest.newBuilder().uri(URI.create("https://api.example.com/v1")).build()
                return URL("https://api.example.com/" + target.toInt()).readText()
            }
        }
        """,
    )
    assert _flows(result) == [
        ("ssrf", 10, "HttpGet", "input.queryStringParameters.url"),
        ("ssrf", 11, "HttpRequest.newBuilder", "input.queryStringParameters.url"),
    ]


def test_a_one_line_class_body_the_grammar_wants_a_separator_in_is_still_analysed(tmp_path: Path) -> None:
    # tree-sitter-kotlin inserts a MISSING member separator before `}` here; the program is valid Kotlin
    result = _scan(
        tmp_path,
        """\
        object Cmd { fun run(c: String?) = Runtime.getRuntime().exec(c) }
        class Handler {
            fun handleRequest(input: APIGatewayProxyRequestEvent, context: Context): String {
                Cmd.run(input.body)
                return ""
            }
        }
        """,
    )
    assert code_errors(result) == []
    assert _flows(result) == [("command", 7, "Runtime.exec", "input.body")]


def test_loop_bodies_without_braces_are_walked(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        class Handler {
            fun handleRequest(input: APIGatewayProxyRequestEvent, context: Context): String {
                var cmd = "echo"
                for (word in input.multiValueHeaders["x-words"]) cmd = cmd + " " + word
                Runtime.getRuntime().exec(cmd)
                var n = 0
                while (n < 3) n++
                do { File(input.body) } while (false)
                return ""
            }
        }
        """,
    )
    assert _flows(result) == [
        ("command", 11, "Runtime.exec", "input.multiValueHeaders.x-words[]"),
        ("path", 14, "File", "input.body"),
    ]


def test_functions_of_the_package_and_imported_project_classes_are_followed(tmp_path: Path) -> None:
    src = tmp_path / "src/main/kotlin/com/acme"
    (src / "repo").mkdir(parents=True)
    (src / "Sql.kt").write_text(
        "package com.acme\n\nfun byName(conn: Connection, name: String?) =\n"
        "    conn.createStatement().executeQuery(\"SELECT * FROM t WHERE n = '$name'\")\n"
    )
    (src / "repo/Files.kt").write_text(
        "package com.acme.repo\n\nimport java.io.File\n\nobject Store {\n"
        '    fun open(key: String?) = File("/data/" + key)\n}\n'
    )
    (src / "Other.kt").write_text("package com.other\n\nfun byName(a: String?, b: String?) = a\n")
    result = _scan(
        tmp_path,
        """\
        import com.acme.repo.Store

        class Handler {
            fun handleRequest(input: APIGatewayProxyRequestEvent, context: Context): String {
                byName(conn, input.queryStringParameters["name"])
                Store.open(input.pathParameters["key"])
                return ""
            }
        }
        """,
    )
    facts = fn(result, "api").code_facts
    assert facts is not None
    assert [(f.sink.kind, f.sink.loc.path, f.sink.loc.line, f.source.path) for f in facts.flows] == [
        ("sql", "src/main/kotlin/com/acme/Sql.kt", 4, "input.queryStringParameters.name"),
        ("path", "src/main/kotlin/com/acme/repo/Files.kt", 6, "input.pathParameters.key"),
    ]
    assert facts.files == (
        "src/main/kotlin/com/acme/Handler.kt",
        "src/main/kotlin/com/acme/Sql.kt",
        "src/main/kotlin/com/acme/repo/Files.kt",
    )
    assert "com.acme.repo.Store" not in facts.imports


def test_a_long_call_chain_is_cut_not_a_recursion_error(tmp_path: Path) -> None:
    chain = "".join(f"    fun h{i}(a: String?): String? = h{i + 1}(a)\n" for i in range(400))
    result = _scan(
        tmp_path,
        "class Handler {\n"
        "    fun handleRequest(input: APIGatewayProxyRequestEvent, context: Context): String {\n"
        "        Runtime.getRuntime().exec(input.body)\n"
        "        h0(input.body)\n"
        '        return ""\n'
        "    }\n" + chain + "    fun h400(a: String?) = Runtime.getRuntime().exec(a)\n}\n",
    )
    assert code_errors(result) == []
    assert _flows(result) == [("command", 9, "Runtime.exec", "input.body")]
