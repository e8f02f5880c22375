"""The Java front end in depth: handler resolution, project classes, event sources, sinks, sanitisers, logging."""

from __future__ import annotations

import textwrap
from pathlib import Path

from fnaudit.pipeline import ScanResult
from tests.code.helpers import code_errors, fn, run

_EVENTS = {
    "http": "Type: HttpApi\n          Properties:\n            Path: /x\n            Method: post",
    "sqs": "Type: SQS\n          Properties:\n            Queue: arn:aws:sqs:us-east-1:123456789012:jobs",
    "s3": "Type: S3\n          Properties:\n            Bucket: !Ref Bucket\n            Events: s3:ObjectCreated:*",
    "kinesis": "Type: Kinesis\n          Properties:\n            Stream: arn:aws:kinesis:us-east-1:1234:stream/s"
    "\n            StartingPosition: LATEST",
    "dynamodb": "Type: DynamoDB\n          Properties:\n            Stream: !GetAtt Table.StreamArn\n"
    "            StartingPosition: LATEST",
    "eventbridge": 'Type: EventBridgeRule\n          Properties:\n            Pattern:\n              source: ["acme"]',
}


def _scan(
    tmp_path: Path, files: dict[str, str], handler: str = "com.acme.Api::handleRequest", event: str = "http"
) -> ScanResult:
    (tmp_path / "template.yaml").write_text(
        textwrap.dedent(
            """\
            AWSTemplateFormatVersion: "2010-09-09"
            Transform: AWS::Serverless-2016-10-31
            Resources:
              Bucket:
                Type: AWS::S3::Bucket
              Table:
                Type: AWS::DynamoDB::Table
                Properties:
                  StreamSpecification:
                    StreamViewType: NEW_IMAGE
              Api:
                Type: AWS::Serverless::Function
                Properties:
                  Runtime: java21
                  Handler: {handler}
                  CodeUri: .
                  Events:
                    E:
                      {event}
            """
        ).format(handler=handler, event=_EVENTS[event])
    )
    (tmp_path / "pom.xml").write_text("<project><artifactId>api</artifactId></project>\n")
    for rel, body in files.items():
        p = tmp_path / "src/main/java" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(body).lstrip("\n"))
    return run(tmp_path)


def _api(body: str, imports: str = "") -> dict[str, str]:
    """`com/acme/Api.java` with the class body `body`: its first line is line 4 of the file."""
    return {
        "com/acme/Api.java": "package com.acme;\n" + imports + "\npublic class Api {\n" + textwrap.dedent(body) + "}\n"
    }


def _flows(result: ScanResult) -> list[tuple[str, str, int, str, str]]:
    facts = fn(result, "Api").code_facts
    assert facts is not None
    return [
        (f.sink.kind, f.sink.loc.path.rsplit("/", 1)[-1], f.sink.loc.line, f.sink.call, f.source.path)
        for f in facts.flows
    ]


def test_a_stream_handler_reads_the_whole_event_from_its_input_stream(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        _api(
            """\
            public void handleRequest(InputStream in, OutputStream out, Context ctx) throws Exception {
                BufferedReader reader = new BufferedReader(new InputStreamReader(in));
                Map<String, Object> event = MAPPER.readValue(reader, Map.class);
                Runtime.getRuntime().exec("echo " + event.get("body"));
                String raw = new String(in.readAllBytes());
                new File(raw);
            }
            public void handleRequest(Object bridge, Context ctx) {
                Runtime.getRuntime().exec("x" + bridge);
            }
            """
        ),
    )
    assert _flows(result) == [
        ("command", "Api.java", 7, "Runtime.exec", "in.body"),
        ("path", "Api.java", 9, "new File", "in"),
    ]


def test_the_handler_string_may_name_another_method_and_the_overload_is_picked_by_arity(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        _api(
            """\
            public String process(APIGatewayProxyRequestEvent input, Context ctx) throws Exception {
                String name = input.getPathParameters().get("name");
                run(name);
                run(name, "safe");
                return "";
            }
            private void run(String a) throws Exception { Runtime.getRuntime().exec("ls " + a); }
            private void run(String a, String b) throws Exception { Runtime.getRuntime().exec("ls " + b); }
            """
        ),
        handler="com.acme.Api::process",
    )
    assert _flows(result) == [("command", "Api.java", 10, "Runtime.exec", "input.pathParameters.name")]


def test_project_classes_are_followed_by_static_call_field_and_new_and_listed_as_files_not_imports(
    tmp_path: Path,
) -> None:
    files = _api(
        """\
        private final Store store = new Store();
        public String handleRequest(APIGatewayProxyRequestEvent input, Context ctx) throws Exception {
            String q = input.getBody();
            Util.shell(q);
            store.save(q);
            new Store().load(q);
            return "";
        }
        """,
        imports="import com.acme.util.Util;\nimport java.util.Map;\n",
    )
    files["com/acme/util/Util.java"] = """\
        package com.acme.util;
        public class Util {
            public static void shell(String s) throws Exception { new ProcessBuilder("sh", "-c", s).start(); }
        }
        """
    files["com/acme/Store.java"] = """\
        package com.acme;
        import java.nio.file.Files;
        public class Store {
            public void save(String s) throws Exception { Files.writeString(java.nio.file.Path.of(s), ""); }
            public void load(String s) throws Exception { new java.io.FileReader(s); }
        }
        """
    result = _scan(tmp_path, files)
    assert _flows(result) == [
        ("path", "Store.java", 4, "Files.writeString", "input.body"),
        ("path", "Store.java", 5, "new FileReader", "input.body"),
        ("command", "Util.java", 3, "new ProcessBuilder", "input.body"),
    ]
    facts = fn(result, "Api").code_facts
    assert facts is not None
    assert facts.files == (
        "src/main/java/com/acme/Api.java",
        "src/main/java/com/acme/util/Util.java",
        "src/main/java/com/acme/Store.java",
    )
    assert facts.imports == ("java.util.Map", "java.nio.file.Files")


def test_a_field_set_from_the_event_in_the_handler_reaches_a_helper(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        _api(
            """\
            private String tenant;
            public String handleRequest(APIGatewayV2HTTPEvent event, Context ctx) throws Exception {
                this.tenant = event.getHeaders().get("x-tenant");
                cleanup();
                return "";
            }
            private void cleanup() throws Exception { Runtime.getRuntime().exec("rm -rf /tmp/" + tenant); }
            """
        ),
    )
    assert _flows(result) == [("command", "Api.java", 10, "Runtime.exec", "event.headers.x-tenant")]


def test_sqs_kinesis_and_a_foreach_lambda_read_their_records(tmp_path: Path) -> None:
    body = """\
        public Void handleRequest(SQSEvent event, Context ctx) throws Exception {
            event.getRecords().forEach(m -> jdbc.update("DELETE FROM t WHERE id = '" + m.getBody() + "'"));
            String attr = event.getRecords().get(0).getMessageAttributes().get("k").getStringValue();
            jdbc.update("DELETE FROM t WHERE k = '" + attr + "'");
            return null;
        }
        """
    result = _scan(tmp_path, _api(body), event="sqs")
    assert _flows(result) == [
        ("sql", "Api.java", 5, "JdbcTemplate.update", "event.Records[].body"),
        ("sql", "Api.java", 7, "JdbcTemplate.update", "event.Records[].messageAttributes.k.stringValue"),
    ]


def test_kinesis_data_and_eventbridge_detail_are_sources(tmp_path: Path) -> None:
    (tmp_path / "k").mkdir()
    kinesis = _scan(
        tmp_path / "k",
        _api(
            """\
            public Void handleRequest(KinesisEvent event, Context ctx) throws Exception {
                for (KinesisEvent.KinesisEventRecord r : event.getRecords()) {
                    String data = new String(r.getKinesis().getData().array());
                    new File(data);
                }
                return null;
            }
            """
        ),
        event="kinesis",
    )
    assert _flows(kinesis) == [("path", "Api.java", 7, "new File", "event.Records[].kinesis.data")]
    (tmp_path / "e").mkdir()
    scheduled = _scan(
        tmp_path / "e",
        _api(
            """\
            public Void handleRequest(ScheduledEvent event, Context ctx) throws Exception {
                Object name = event.getDetail().get("name");
                new File("/tmp/" + name);
                return null;
            }
            """
        ),
        event="eventbridge",
    )
    assert _flows(scheduled) == [("path", "Api.java", 6, "new File", "event.detail.name")]


def test_authorizer_claims_and_a_map_events_other_keys_are_not_sources(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        _api(
            """\
            public String handleRequest(Map<String, Object> event, Context ctx) throws Exception {
                Map<String, Object> rc = (Map<String, Object>) event.get("requestContext");
                Runtime.getRuntime().exec("id " + rc.get("authorizer"));
                Runtime.getRuntime().exec("id " + event.get("body"));
                return "";
            }
            public String other(APIGatewayProxyRequestEvent input) throws Exception {
                return "";
            }
            """
        ),
    )
    assert _flows(result) == [("command", "Api.java", 7, "Runtime.exec", "event.body")]


def test_allowlist_guard_equality_and_filename_sanitise_only_where_they_hold(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        _api(
            """\
            private static final Set<String> OK = Set.of("a", "b");
            public String handleRequest(APIGatewayProxyRequestEvent input, Context ctx) throws Exception {
                String a = input.getBody();
                if (OK.contains(a)) {
                    Runtime.getRuntime().exec("run " + a);
                } else {
                    Runtime.getRuntime().exec("log " + a);
                }
                if (a.equals("reset")) {
                    Runtime.getRuntime().exec("run " + a);
                }
                Files.readString(Paths.get(a).getFileName());
                Files.readString(Paths.get("/srv", a));
                return "";
            }
            """
        ),
    )
    assert _flows(result) == [
        ("command", "Api.java", 10, "Runtime.exec", "input.body"),
        ("path", "Api.java", 16, "Files.readString", "input.body"),
    ]


def test_tainted_logger_arguments_are_log_flows(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        _api(
            """\
            private static final Logger LOG = LogManager.getLogger(Api.class);
            private static final org.slf4j.Logger audit = LoggerFactory.getLogger("audit");
            public String handleRequest(APIGatewayProxyRequestEvent input, Context ctx) {
                LOG.info("user agent {}", input.getHeaders().get("user-agent"));
                audit.warn("fixed text");
                ctx.getLogger().log("query " + input.getQueryStringParameters());
                list.add(input.getBody());
                return "";
            }
            """
        ),
    )
    assert _flows(result) == [
        ("log", "Api.java", 7, "LOG.info", "input.headers.user-agent"),
        ("log", "Api.java", 9, "ctx.getLogger().log", "input.queryStringParameters"),
    ]


def test_a_file_nested_too_deeply_is_an_error_and_no_facts(tmp_path: Path) -> None:
    deep = "(" * 450 + "1" + ")" * 450
    result = _scan(tmp_path, _api(f"public int handleRequest(Object e, Context c) {{ return {deep}; }}\n"))
    assert [(e.path, e.message) for e in code_errors(result)] == [
        ("src/main/java/com/acme/Api.java", "code nested too deeply to analyse; the file was not analysed")
    ]
    assert fn(result, "Api").code_facts is None


def test_an_overload_is_picked_by_the_arguments_types_and_a_missing_class_is_no_error(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        _api(
            """\
            public String handleRequest(APIGatewayProxyRequestEvent input, Context ctx) throws Exception {
                String name = input.getBody();
                put(3, name);
                put(name, 3);
                Missing.run(name);
                return "";
            }
            private void put(int n, String s) throws Exception { new File("/srv/" + s); }
            private void put(String s, int n) throws Exception { new File("/srv/" + n); }
            """
        ),
    )
    assert _flows(result) == [("path", "Api.java", 11, "new File", "input.body")]
    assert code_errors(result) == []


def test_a_mapper_configured_in_a_static_block_and_java_http_client_builders(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        _api(
            """\
            private static final ObjectMapper MAPPER = new ObjectMapper();
            static { MAPPER.enableDefaultTyping(); }
            public String handleRequest(APIGatewayProxyRequestEvent input, Context ctx) throws Exception {
                Object o = MAPPER.readValue(input.getBody(), Object.class);
                var request = HttpRequest.newBuilder().uri(URI.create(input.getHeaders().get("x-callback"))).build();
                var repo = new Repo();
                repo.find(input.getBody());
                return "";
            }
            """
        )
        | {
            "com/acme/Repo.java": """\
                package com.acme;
                public class Repo {
                    public void find(String id) { em.createQuery("FROM Item WHERE id = '" + id + "'"); }
                }
                """
        },
    )
    assert _flows(result) == [
        ("deserialization", "Api.java", 7, "ObjectMapper.readValue", "input.body"),
        ("ssrf", "Api.java", 8, "HttpRequest.Builder.uri", "input.headers.x-callback"),
        ("sql", "Repo.java", 3, "EntityManager.createQuery", "input.body"),
    ]


def test_dynamodb_stream_images_are_sources_and_keys_of_the_old_image_too(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        _api(
            """\
            public Void handleRequest(DynamodbEvent event, Context ctx) throws Exception {
                for (DynamodbEvent.DynamodbStreamRecord r : event.getRecords()) {
                    String path = r.getDynamodb().getNewImage().get("path").getS();
                    new File(path);
                    String name = r.getEventName();
                    new File(name);
                }
                return null;
            }
            """
        ),
        event="dynamodb",
    )
    assert _flows(result) == [("path", "Api.java", 7, "new File", "event.Records[].dynamodb.NewImage.path.s")]


def test_deeply_nested_loops_are_walked_in_linear_time_and_keep_their_taint(tmp_path: Path) -> None:
    # each loop body is walked twice only near the top: 40 nested loops walked twice each would take 2**40 walks
    loops = "for (String k : event.keySet()) { " * 40 + "Runtime.getRuntime().exec(x);" + " }" * 40
    result = _scan(
        tmp_path,
        _api(
            "public String handleRequest(Map<String, Object> event, Context c) throws Exception {\n"
            f'    String x = (String) event.get("body");\n    {loops}\n    return "";\n}}\n'
        ),
    )
    assert _flows(result) == [("command", "Api.java", 6, "Runtime.exec", "event.body")]


def test_switch_arms_are_branches_and_an_arm_that_returns_does_not_flow_on(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        _api(
            """\
            public String handleRequest(APIGatewayProxyRequestEvent input, Context ctx) throws Exception {
                String q = input.getBody();
                String cmd = "true";
                switch (input.getHttpMethod()) {
                    case "GET": cmd = "ls " + q; break;
                    case "HEAD": String safe = "x"; cmd = safe; break;
                    default: return "no";
                }
                Runtime.getRuntime().exec(cmd);
                String file = switch (q.length()) { case 0 -> "empty"; default -> q; };
                new File(file);
                String ok = "x";
                switch (q) { case "a" -> { ok = "y"; } default -> { return ""; } }
                new File(ok);
                return "";
            }
            """
        ),
    )
    assert _flows(result) == [
        ("command", "Api.java", 12, "Runtime.exec", "input.body"),
        ("path", "Api.java", 14, "new File", "input.body"),
    ]


def test_xml_factories_made_safe_by_switching_external_entities_off_are_not_xxe(tmp_path: Path) -> None:
    result = _scan(
        tmp_path,
        _api(
            """\
            public String handleRequest(APIGatewayProxyRequestEvent input, Context ctx) throws Exception {
                SAXParserFactory off = SAXParserFactory.newInstance();
                off.setFeature("http://xml.org/sax/features/external-general-entities", false);
                off.newSAXParser().parse(new InputSource(new StringReader(input.getBody())), handler);
                SAXParserFactory on = SAXParserFactory.newInstance();
                on.setFeature("http://xml.org/sax/features/external-general-entities", true);
                on.newSAXParser().parse(new InputSource(new StringReader(input.getBody())), handler);
                return "";
            }
            """
        ),
    )
    assert _flows(result) == [("xxe", "Api.java", 10, "SAXParser.parse", "input.body")]


def test_a_url_made_from_a_uri_is_opened_like_a_new_url(tmp_path: Path) -> None:
    body = """\
        public String handleRequest(APIGatewayV2HTTPEvent event, Context ctx) throws Exception {
            String q = event.getQueryStringParameters().get("u");
            try (var in = URI.create(q).toURL().openStream()) {
                return new String(in.readAllBytes());
            }
        }
        """
    result = _scan(tmp_path, _api(body))
    assert _flows(result) == [("ssrf", "Api.java", 6, "URL.openStream", "event.queryStringParameters.u")]
