"""The Java front end: handler class located from the SAM template, sources, sinks, sanitisers, errors."""

from __future__ import annotations

import textwrap
from pathlib import Path

from fnaudit.pipeline import ScanResult
from tests.code.helpers import code_errors, fn, run

_TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: java21
      Handler: com.acme.Api::handleRequest
      CodeUri: .
      Events:
        Get:
          Type: HttpApi
          Properties:
            Path: /x
            Method: get
"""

_HEAD = """\
package com.acme;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Paths;

public class Api {
"""


def _scan(tmp_path: Path, body: str) -> ScanResult:
    (tmp_path / "template.yaml").write_text(_TEMPLATE)
    (tmp_path / "pom.xml").write_text("<project><artifactId>api</artifactId></project>\n")
    src = tmp_path / "src/main/java/com/acme"
    src.mkdir(parents=True)
    (src / "Api.java").write_text(_HEAD + textwrap.dedent(body) + "}\n")
    return run(tmp_path)


def _flows(result: ScanResult) -> list[tuple[str, int, str, str]]:
    facts = fn(result, "Api").code_facts
    assert facts is not None
    return [(f.sink.kind, f.sink.loc.line, f.sink.call, f.source.path) for f in facts.flows]


def test_file_paths_from_path_parameters_are_path_traversal(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        public String handleRequest(APIGatewayProxyRequestEvent input, Context ctx) throws Exception {
            String name = input.getPathParameters().get("name");
            new File("/data/" + name);
            return new String(Files.readAllBytes(Paths.get("/data", name)));
        }
        """,
    )
    assert _flows(result) == [
        ("path", 10, "new File", "input.pathParameters.name"),
        ("path", 11, "Files.readAllBytes", "input.pathParameters.name"),
    ]
    assert [(f.rule_id, f.location.path, f.location.line) for f in result.findings if f.rule_id == "CODE005"] == [
        ("CODE005", "src/main/java/com/acme/Api.java", 10),
        ("CODE005", "src/main/java/com/acme/Api.java", 11),
    ]


def test_v2_event_headers_through_a_helper_and_a_prepared_statement_of_a_built_string(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        public String handleRequest(APIGatewayV2HTTPEvent event, Context ctx) throws Exception {
            String tenant = event.getHeaders().get("x-tenant");
            return lookup(conn(), tenant);
        }

        private String lookup(Connection c, String t) throws Exception {
            c.prepareStatement("SELECT * FROM t WHERE tenant = '" + t + "'");
            return "";
        }
        """,
    )
    assert _flows(result) == [("sql", 14, "Connection.prepareStatement", "event.headers.x-tenant")]


def test_parse_int_and_placeholders_stay_quiet(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        public String handleRequest(APIGatewayProxyRequestEvent input, Context ctx) throws Exception {
            int n = Integer.parseInt(input.getBody());
            Runtime.getRuntime().exec("sleep " + n);
            PreparedStatement ps = conn.prepareStatement("SELECT * FROM t WHERE id = ?");
            ps.setString(1, input.getBody());
            ps.executeQuery();
            return "";
        }
        """,
    )
    assert _flows(result) == []


def test_a_branch_that_reassigns_keeps_the_taint_of_the_other(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        public String handleRequest(APIGatewayProxyRequestEvent input, Context ctx) throws Exception {
            String cmd = input.getBody();
            if (cmd.isEmpty()) {
                cmd = "true";
            }
            new ProcessBuilder("sh", "-c", cmd).start();
            return "";
        }
        """,
    )
    assert _flows(result) == [("command", 13, "new ProcessBuilder", "input.body")]


def test_a_syntax_error_is_a_code_error_and_other_findings_remain(tmp_path: Path) -> None:
    result = _scan(tmp_path, "public String handleRequest(APIGatewayProxyRequestEvent input, Context ctx) {\n")
    errors = code_errors(result)
    assert [(e.path, e.message.split(";")[0]) for e in errors] == [
        ("src/main/java/com/acme/Api.java", "line 9: Java syntax error")
    ]
    assert fn(result, "Api").code_facts is None


def test_a_missing_handler_method_is_reported_as_not_found(tmp_path: Path) -> None:
    result = _scan(tmp_path, "public String other(String s) { return s; }\n")
    facts = fn(result, "Api").code_facts
    assert facts is not None and facts.handler_found is False
    assert facts.imports == ("java.io.File", "java.nio.file.Files", "java.nio.file.Paths")


def test_execute_is_sql_only_on_a_jdbc_receiver_and_loops_carry_taint(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        """\
        public String handleRequest(APIGatewayProxyRequestEvent input, Context ctx) throws Exception {
            String q = "";
            for (String k : input.getMultiValueQueryStringParameters().get("k")) {
                q = q + k;
            }
            client.execute(new HttpGet(q));
            Statement st = conn.createStatement();
            st.execute("DELETE FROM t WHERE k = '" + q + "'");
            return "";
        }
        """,
    )
    assert _flows(result) == [
        ("ssrf", 13, "new HttpGet", "input.multiValueQueryStringParameters.k[]"),
        ("sql", 15, "Statement.execute", "input.multiValueQueryStringParameters.k[]"),
    ]


def test_a_kotlin_handler_is_an_error_not_a_java_syntax_error(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(_TEMPLATE)
    src = tmp_path / "src/main/kotlin/com/acme"
    src.mkdir(parents=True)
    (src / "Api.kt").write_text('package com.acme\n\nclass Api { fun handleRequest(input: Any): String = "" }\n')
    result = run(tmp_path)
    # Kotlin has its own front end (engines/code/kotlin): whatever it says, the Java parser never reads the file
    assert [e for e in code_errors(result) if "Java syntax error" in e.message] == []
