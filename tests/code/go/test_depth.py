"""The Go front end in depth: handler resolution variants, packages of the same module across folders,
sources by event type, sinks by receiver kind, sanitisers and guards."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fnaudit.engines.code.go import analyse
from tests.code.helpers import code_errors, fn, run, write_app

_GO_MOD = "module example.com/items\n\ngo 1.22\n"
_HEAD = """\
package main

import (
\t"context"
\t"database/sql"
\t"encoding/json"
\t"net/http"
\t"net/url"
\t"os"
\t"os/exec"
\t"regexp"
\t"strconv"

\t"github.com/aws/aws-lambda-go/events"
\t"github.com/aws/aws-lambda-go/lambda"
)

var db *sql.DB
"""  # 18 lines: the code starts on line 19


def _fn(trigger: str) -> str:
    return f"api:\n  handler: bootstrap\n  runtime: provided.al2023\n  events:\n    - {trigger}\n"


def _app(
    tmp_path: Path, body: str, trigger: str = "httpApi: POST /items/{id}", extra: dict[str, str] | None = None
) -> Path:
    return write_app(tmp_path, _fn(trigger), {"go.mod": _GO_MOD, "main.go": _HEAD + body, **(extra or {})})


def _sinks(tmp_path: Path, body: str, trigger: str = "httpApi: POST /items/{id}") -> list[tuple[str, int, str]]:
    f = fn(run(_app(tmp_path, body, trigger)), "api")
    assert f.code_facts is not None
    return [(fl.sink.kind, fl.sink.loc.line, fl.source.path) for fl in f.code_facts.flows]


@pytest.mark.parametrize(
    ("main", "handler"),
    [
        ("lambda.StartWithContext(context.Background(), handle)", ""),
        ("lambda.StartWithOptions(handle, lambda.WithEnableSIGTERM())", ""),
        ("h := handle\n\tf := h\n\tlambda.Start(f)", ""),
        ("lambda.Start(handleVar)", "var handleVar = handle\n"),
        (
            "lambda.Start((&H{}).Handle)",
            "type H struct{}\n\nfunc (h *H) Handle(req events.APIGatewayProxyRequest) { handle(req) }\n",
        ),
    ],
)
def test_handler_resolution_variants(tmp_path: Path, main: str, handler: str) -> None:
    body = f"""\
func handle(req events.APIGatewayProxyRequest) {{
\texec.Command(req.Body).Run()
}}

{handler}
func main() {{
\t{main}
}}
"""
    assert [(k, line) for k, line, _ in _sinks(tmp_path, body)] == [("command", 20)]


def test_a_package_var_bound_to_a_func_literal_is_the_handler(tmp_path: Path) -> None:
    body = """\
var handleVar = func(req events.APIGatewayProxyRequest) {
\texec.Command(req.Body).Run()
}

func main() { lambda.Start(handleVar) }
"""
    assert _sinks(tmp_path, body) == [("command", 20, "req.body")]


def test_a_lambda_handler_implementation_gets_the_whole_event_as_bytes(tmp_path: Path) -> None:
    body = """\
type Raw struct{}

func (Raw) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
\tvar req events.APIGatewayProxyRequest
\tjson.Unmarshal(payload, &req)
\tos.Open(req.QueryStringParameters["f"])
\tvar auth events.APIGatewayProxyRequest
\tjson.Unmarshal(payload, &auth)
\tos.Open(auth.RequestContext.Authorizer["sub"].(string))
\treturn nil, nil
}

func main() { lambda.StartHandler(Raw{}) }
"""
    # the authorizer's claims are the platform's, never the caller's: not a source
    assert _sinks(tmp_path, body) == [("path", 24, "payload.queryStringParameters.f")]


def _sam(tmp_path: Path, files: dict[str, str]) -> Path:
    template = """\
    AWSTemplateFormatVersion: "2010-09-09"
    Transform: AWS::Serverless-2016-10-31
    Resources:
      Api:
        Type: AWS::Serverless::Function
        Properties:
          CodeUri: cmd/api/
          Handler: bootstrap
          Runtime: provided.al2023
          Events:
            Get:
              Type: HttpApi
              Properties:
                Path: /items/{id}
                Method: get
    """
    (tmp_path / "template.yaml").write_text(textwrap.dedent(template), encoding="utf-8")
    for rel, content in {"go.mod": _GO_MOD, **files}.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(content), encoding="utf-8")
    return tmp_path


_MODULE_MAIN = """\
package main

import (
\t"context"

\t"github.com/aws/aws-lambda-go/events"
\t"github.com/aws/aws-lambda-go/lambda"

\tstore "example.com/items/internal/db"
)

type Service struct{ repo *store.Repo }

func (s *Service) handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (string, error) {
\ts.repo.Put(req.Headers["x-tag"])
\treturn store.Find(req.PathParameters["id"]), nil
}

func main() {
\ts := &Service{}
\tlambda.Start(s.handle)
}
"""
_DB = """\
package db

import (
\t"database/sql"

\t"example.com/items/internal/broken"
)

var conn *sql.DB

type Repo struct{ db *sql.DB }

func Find(id string) string {
\tconn.Query("SELECT * FROM items WHERE id = '" + id + "'")
\tbroken.Touch()
\treturn id
}

func (r *Repo) Put(tag string) {
\tr.db.Exec("INSERT INTO tags VALUES ('" + tag + "')")
}
"""


def test_packages_of_the_module_are_followed_across_folders_and_a_broken_one_is_an_error(tmp_path: Path) -> None:
    root = _sam(
        tmp_path,
        {
            "cmd/api/main.go": _MODULE_MAIN,
            "internal/db/db.go": _DB,
            "internal/db/db_test.go": "package db\n\nfunc TestX() { conn.Query(x) }\n",
            "internal/broken/broken.go": "package broken\n\nfunc Touch() {\n\tif {\n}\n",
        },
    )
    result = run(root)
    f = fn(result, "Api")
    assert f.code_facts is not None
    got = [(fl.sink.loc.path, fl.sink.loc.line, fl.sink.call, fl.source.path) for fl in f.code_facts.flows]
    assert got == [
        ("internal/db/db.go", 14, "conn.Query", "req.pathParameters.id"),
        ("internal/db/db.go", 20, "r.db.Exec", "req.headers.x-tag"),
    ]
    assert f.code_facts.files == ("cmd/api/main.go", "internal/db/db.go")
    assert "example.com/items/internal/db" not in f.code_facts.imports  # the module's own: not a dependency
    assert "github.com/aws/aws-lambda-go/lambda" in f.code_facts.imports
    errors = code_errors(result)
    assert [(e.path, e.message.split(";")[0]) for e in errors] == [
        ("internal/broken/broken.go", "line 4: Go syntax error")
    ]


def test_the_packages_a_function_reaches_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(analyse, "MAX_PACKAGES", 1)  # only the handler's own package
    root = _sam(tmp_path, {"cmd/api/main.go": _MODULE_MAIN, "internal/db/db.go": _DB})
    f = fn(run(root), "Api")
    assert f.code_facts is not None
    assert (f.code_facts.files, f.code_facts.flows) == (("cmd/api/main.go",), ())


def test_an_import_of_another_module_is_not_read(tmp_path: Path) -> None:
    main = _MODULE_MAIN.replace("example.com/items/internal/db", "example.com/other/internal/db")
    root = _sam(tmp_path, {"cmd/api/main.go": main, "internal/db/db.go": _DB})
    f = fn(run(root), "Api")
    assert f.code_facts is not None
    assert (f.code_facts.files, f.code_facts.flows) == (("cmd/api/main.go",), ())
    assert "example.com/other/internal/db" in f.code_facts.imports


def test_stream_and_queue_sources_by_event_type(tmp_path: Path) -> None:
    body = """\
func handle(ctx context.Context, e events.DynamoDBEvent) error {
\tfor _, r := range e.Records {
\t\tdb.Exec("DELETE FROM t WHERE id = '" + r.Change.NewImage["id"].String() + "'")
\t\tdb.Exec("DELETE FROM t WHERE id = '" + r.EventID + "'")
\t}
\treturn nil
}

func main() { lambda.Start(handle) }
"""
    trigger = "stream: {type: dynamodb, arn: arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/2024}"
    assert _sinks(tmp_path, body, trigger) == [("sql", 21, "e.Records[].dynamodb.NewImage.id")]


def test_sqs_message_attributes_and_sns_messages(tmp_path: Path) -> None:
    body = """\
func handle(e events.SQSEvent) error {
\tr := e.Records[0]
\thttp.Get(*r.MessageAttributes["callback"].StringValue)
\thttp.Get(r.ReceiptHandle)
\treturn nil
}

func main() { lambda.Start(handle) }
"""
    trigger = "sqs: arn:aws:sqs:eu-west-1:123456789012:q"
    assert _sinks(tmp_path, body, trigger) == [("ssrf", 21, "e.Records[].messageAttributes.callback.StringValue")]


def test_sql_sinks_by_receiver_kind_and_placeholders(tmp_path: Path) -> None:
    body = """\
type Repo struct {
\tx *sqlx.DB
\tg *gorm.DB
}

func (r *Repo) handle(req events.APIGatewayProxyRequest) {
\tname := req.QueryStringParameters["name"]
\tvar out []string
\tr.x.Select(&out, "SELECT id FROM t WHERE name = '"+name+"'")
\tr.x.Select(&out, "SELECT id FROM t WHERE name = $1", name)
\tr.g.Where("name = ?", name).Find(&out)
\tr.g.Where("name = '" + name + "'").Find(&out)
\tcache.Get(name)
}

func main() { lambda.Start((&Repo{}).handle) }
"""
    assert [(k, line) for k, line, _ in _sinks(tmp_path, body)] == [("sql", 27), ("sql", 30)]


def test_commands_without_a_shell_only_the_program_is_a_command(tmp_path: Path) -> None:
    body = """\
func handle(ctx context.Context, req events.APIGatewayProxyRequest) {
\texec.Command("git", "log", req.Body).Run()
\texec.CommandContext(ctx, "bash", "-c", "git log "+req.Body).Run()
\texec.CommandContext(ctx, req.Body).Run()
}

func main() { lambda.Start(handle) }
"""
    assert [(k, line) for k, line, _ in _sinks(tmp_path, body)] == [("command", 21), ("command", 22)]


def test_validators_with_an_error_check_and_anchored_patterns_are_guards(tmp_path: Path) -> None:
    body = """\
var id = regexp.MustCompile(`^[a-z0-9]{8}$`)
var loose = regexp.MustCompile(`[a-z0-9]{8}`)

func handle(req events.APIGatewayProxyRequest) {
\tn := req.QueryStringParameters["n"]
\tif _, err := strconv.Atoi(n); err != nil {
\t\treturn
\t}
\tos.Open("/data/" + n)
\tname := req.PathParameters["name"]
\tif !id.MatchString(name) {
\t\treturn
\t}
\tos.Open("/data/" + name)
\tother := req.Headers["x-other"]
\tif !loose.MatchString(other) {
\t\treturn
\t}
\tos.Open("/data/" + other)
\tif regexp.MustCompile("^ok$").MatchString(req.Body) {
\t\tos.Open(req.Body)
\t}
}

func main() { lambda.Start(handle) }
"""
    # an unanchored pattern matches inside anything: no guard; an inline MustCompile is not resolved (kept)
    assert [(k, line) for k, line, _ in _sinks(tmp_path, body)] == [("path", 37), ("path", 39)]


def test_a_host_allowlist_clears_ssrf_only(tmp_path: Path) -> None:
    body = """\
func handle(req events.APIGatewayProxyRequest) {
\traw := req.Body
\tu, err := url.Parse(raw)
\tif err != nil || u.Hostname() != "api.example.com" {
\t\treturn
\t}
\thttp.Get(raw)
\tos.Open(u.Path)
}

func main() { lambda.Start(handle) }
"""
    assert [(k, line) for k, line, _ in _sinks(tmp_path, body)] == [("path", 26)]


def test_a_prepared_statement_binds_its_arguments(tmp_path: Path) -> None:
    body = """\
func handle(ctx context.Context, req events.APIGatewayProxyRequest) {
\tstmt, _ := db.PrepareContext(ctx, "DELETE FROM t WHERE id = ?")
\tstmt.ExecContext(ctx, req.Body)
\tstmt.Exec(req.Body)
\ttx, _ := db.Begin()
\ttx.Exec("DELETE FROM t WHERE id = " + req.Body)
}

func main() { lambda.Start(handle) }
"""
    assert [(k, line) for k, line, _ in _sinks(tmp_path, body)] == [("sql", 24)]


def test_a_lookup_in_the_callers_own_map_is_no_allowlist(tmp_path: Path) -> None:
    body = """\
var allowed = map[string]bool{"a.example": true}

func handle(req events.APIGatewayProxyRequest) {
\tname := req.Body
\tif _, ok := req.Headers[name]; !ok {
\t\treturn
\t}
\thttp.Get(name)
\tif !allowed[name] {
\t\treturn
\t}
\thttp.Get(name)
}

func main() { lambda.Start(handle) }
"""
    assert [(k, line) for k, line, _ in _sinks(tmp_path, body)] == [("ssrf", 26)]


def test_secrets_and_whole_events_logged_through_loggers(tmp_path: Path) -> None:
    body = """\
type H struct{ logger *zap.SugaredLogger }

func (h *H) handle(ctx context.Context, req events.APIGatewayProxyRequest) {
\tkey := os.Getenv("API_SECRET")
\ttable := os.Getenv("TABLE_NAME")
\th.logger.Infow("start", "key", key)
\tfmt.Fprintf(os.Stderr, "event %v\\n", req)
\tfmt.Fprintf(w, "%s", key)
\tlog.Printf("table %s", table)
\tn, _ := strconv.Atoi(req.Body)
\tlog.Println(n)
}

func main() { lambda.Start((&H{}).handle) }
"""
    f = fn(run(_app(tmp_path, body)), "api")
    assert f.code_facts is not None
    assert [(leak.kind, leak.loc.line, leak.name) for leak in f.code_facts.log_leaks] == [
        ("secret", 24, "API_SECRET"),
        ("event", 25, ""),
    ]


def test_renamed_imports_are_known_by_their_package_name(tmp_path: Path) -> None:
    body = """\
func handle(req events.APIGatewayProxyRequest) {
\tt, _ := tt.New("page").Parse(req.Body)
\tt.Execute(nil, nil)
\tvar cfg map[string]string
\tyml.Unmarshal([]byte(req.Body), &cfg)
\tosx.Open(cfg["path"])
\tdefault_client := nethttp.DefaultClient
\tdefault_client.Get(req.Body)
}

func main() { lambda.Start(handle) }
"""
    imports = '\tnethttp "net/http"\n\ttt "text/template"\n\tyml "gopkg.in/yaml.v3"\n\tosx "os"\n'
    root = _app(tmp_path, body)  # the imports take 3 more lines: the handler starts on line 22
    main = (root / "main.go").read_text(encoding="utf-8").replace('\t"regexp"\n', imports)
    (root / "main.go").write_text(main, encoding="utf-8")
    f = fn(run(root), "api")
    assert f.code_facts is not None
    # yaml.Unmarshal is no sink in Go, but what it decodes carries the body on
    assert [(fl.sink.kind, fl.sink.loc.line) for fl in f.code_facts.flows] == [
        ("template", 23),
        ("path", 27),
        ("ssrf", 29),
    ]


def test_goroutines_deferred_funcs_and_callbacks_are_walked_with_what_they_capture(tmp_path: Path) -> None:
    body = """\
func handle(req events.APIGatewayProxyRequest) {
\tname := req.Body
\tgo func(n string) {
\t\tos.Remove(n)
\t}(name)
\tdefer func() {
\t\tos.Open(name)
\t}()
\tg.Go(func() error {
\t\t_, err := http.Get(name)
\t\treturn err
\t})
}

func main() { lambda.Start(handle) }
"""
    assert [(k, line) for k, line, _ in _sinks(tmp_path, body)] == [("path", 22), ("path", 25), ("ssrf", 28)]


def test_a_struct_literal_holds_what_its_fields_hold(tmp_path: Path) -> None:
    body = """\
type Order struct{ ID, Note string }

func handle(req events.APIGatewayProxyRequest) {
\tname := "fixed"
\to := Order{ID: req.PathParameters["id"], Note: name}
\tdb.Query("SELECT * FROM t WHERE id = '" + o.ID + "'")
\tp := &Order{Note: "x"}
\tdb.Query("SELECT * FROM t WHERE id = '" + p.ID + "'")
}

func main() { lambda.Start(handle) }
"""
    assert _sinks(tmp_path, body) == [("sql", 24, "req.pathParameters.id")]


def test_a_logger_is_known_by_its_type_too(tmp_path: Path) -> None:
    body = """\
var audit = zap.NewExample().Sugar()

func handle(req events.APIGatewayProxyRequest) {
\tl := slog.Default()
\tl.Info("event", "e", req)
\taudit.Infow("event", "e", req)
\tcatalog := Catalog{}
\tcatalog.Info(req)
}

func main() { lambda.Start(handle) }
"""
    root = _app(tmp_path, body)  # two more imports: the code starts on line 21
    imports = '\t"log/slog"\n\t"go.uber.org/zap"\n'
    (root / "main.go").write_text(
        (root / "main.go").read_text(encoding="utf-8").replace('\t"regexp"\n', '\t"regexp"\n' + imports),
        encoding="utf-8",
    )
    f = fn(run(root), "api")
    assert f.code_facts is not None
    # `catalog` is no logger, but its name says log: the same name heuristic as Python's and JavaScript's
    assert [(leak.kind, leak.loc.line) for leak in f.code_facts.log_leaks] == [
        ("event", 25),
        ("event", 26),
        ("event", 28),
    ]


def test_a_fixed_scheme_and_host_prefix_is_no_ssrf(tmp_path: Path) -> None:
    body = """\
const api = "https://api.example.com/"
const host = "https://api.example.com"

func handle(req events.APIGatewayProxyRequest) {
\tid := req.Body
\thttp.Get("https://api.example.com/items/" + id)
\thttp.Get(api + "items/" + id)
\thttp.Get(fmt.Sprintf("https://api.example.com/items/%s", id))
\thttp.Get(host + id)
\thttp.Get(fmt.Sprintf("https://%s/items", id))
\thttp.Get("https://" + id)
\tos.Open("https://api.example.com/" + id)
}

func main() { lambda.Start(handle) }
"""
    # `host` has no `/` after it: `.evil.com` or `@evil.com` would finish the host
    assert [(k, line) for k, line, _ in _sinks(tmp_path, body)] == [
        ("ssrf", 27),
        ("ssrf", 28),
        ("ssrf", 29),
        ("path", 30),
    ]


def test_deeply_nested_loops_are_walked_in_linear_time_and_keep_their_taint(tmp_path: Path) -> None:
    # each loop body is walked twice only near the top: 40 nested loops walked twice each would take 2**40 walks
    loops = "for i := 0; i < 2; i++ { " * 40 + "x = x + req.Body" + " }" * 40
    body = (
        "func handle(req events.APIGatewayProxyRequest) {\n"
        '\tx := ""\n'
        f"\t{loops}\n"
        "\texec.Command(x).Run()\n"
        "}\n\nfunc main() { lambda.Start(handle) }\n"
    )
    assert _sinks(tmp_path, body) == [("command", 22, "req.body")]
