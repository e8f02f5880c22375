"""The Go front end: `provided.al2023` + `bootstrap` functions, `lambda.Start(x)` followed to the
handler, and event data traced to SQL, command, path and URL sinks."""

from __future__ import annotations

from pathlib import Path

from fnaudit.loaders.handlers import language_of
from tests.code.helpers import code_errors, flows, fn, run, write_app

_FUNCTIONS = """\
api:
  handler: bootstrap
  runtime: provided.al2023
  events:
    - httpApi: POST /items/{id}
"""
_GO_MOD = "module example.com/items\n\ngo 1.22\n\nrequire github.com/aws/aws-lambda-go v1.47.0\n"
_HEAD = """\
package main

import (
\t"context"
\t"database/sql"
\t"fmt"
\t"net/http"
\t"os"
\t"os/exec"
\t"strconv"

\t"github.com/aws/aws-lambda-go/events"
\t"github.com/aws/aws-lambda-go/lambda"
)

var db *sql.DB
"""  # 16 lines: the handler starts on line 17


def _app(tmp_path: Path, body: str, extra: dict[str, str] | None = None) -> Path:
    return write_app(tmp_path, _FUNCTIONS, {"go.mod": _GO_MOD, "main.go": _HEAD + body, **(extra or {})})


def test_provided_runtime_with_go_mod_is_go_and_resolves_the_main_file(tmp_path: Path) -> None:
    body = "func main() { lambda.Start(func(req events.APIGatewayProxyRequest) error { return nil }) }\n"
    result = run(_app(tmp_path, body))
    code = fn(result, "api").code
    assert (code.language, code.handler_file, code.handler_symbol) == ("go", "main.go", "bootstrap")
    assert language_of("provided.al2023") == "custom"  # without a go.mod it stays a custom runtime


def test_each_sink_kind_from_a_named_handler(tmp_path: Path) -> None:
    body = """\
func handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (string, error) {
\tid := req.PathParameters["id"]
\tdb.Query(fmt.Sprintf("SELECT * FROM t WHERE id = '%s'", id))
\texec.Command("sh", "-c", "echo "+req.Body).Run()
\tos.ReadFile("/data/" + req.QueryStringParameters["f"])
\thttp.Get(req.Headers["x-callback"])
\treturn "", nil
}

func main() { lambda.Start(handle) }
"""
    result = run(_app(tmp_path, body))
    assert flows(result, "api") == [("sql", 19), ("command", 20), ("path", 21), ("ssrf", 22)]
    flow = fn(result, "api").code_facts.flows[0]  # type: ignore[union-attr]
    assert flow.source.path == "req.pathParameters.id"
    assert [(s.loc.line, s.note) for s in flow.steps][:1] == [(18, "assigned to id")]


def test_placeholders_and_atoi_are_safe(tmp_path: Path) -> None:
    body = """\
func handle(ctx context.Context, req events.APIGatewayProxyRequest) (string, error) {
\tdb.Exec("DELETE FROM t WHERE id = $1", req.Body)
\tn, err := strconv.Atoi(req.QueryStringParameters["n"])
\tif err != nil {
\t\treturn "", err
\t}
\tdb.Query(fmt.Sprintf("SELECT * FROM t LIMIT %d", n))
\treturn "", nil
}

func main() { lambda.Start(handle) }
"""
    assert flows(run(_app(tmp_path, body)), "api") == []


def test_method_value_and_helper_in_another_file_of_the_package(tmp_path: Path) -> None:
    body = """\
type H struct{}

func (h *H) Handle(ctx context.Context, req events.APIGatewayProxyRequest) (string, error) {
\tlookup(ctx, "x", req.Body)
\treturn "", nil
}

func main() {
\th := &H{}
\tlambda.Start(h.Handle)
}
"""
    helper = """\
package main

import "context"

func lookup(ctx context.Context, kind string, name string) {
\tdb.QueryRowContext(ctx, "SELECT * FROM t WHERE name = '"+name+"'")
}
"""
    result = run(_app(tmp_path, body, {"store.go": helper}))
    f = fn(result, "api")
    assert f.code_facts is not None
    assert [(fl.sink.kind, fl.sink.loc.path, fl.sink.loc.line) for fl in f.code_facts.flows] == [("sql", "store.go", 6)]
    assert f.code_facts.files == ("main.go", "store.go")
    assert "github.com/aws/aws-lambda-go/lambda" in f.code_facts.imports


def test_branch_join_keeps_taint_and_an_ending_arm_does_not_flow_on(tmp_path: Path) -> None:
    body = """\
func handle(req events.APIGatewayProxyRequest) (string, error) {
\tcmd := "ls"
\tif req.Headers["x"] == "1" {
\t\tcmd = req.Body
\t}
\texec.Command(cmd).Run()
\tsafe := req.Body
\tif safe != "ok" {
\t\treturn "", nil
\t} else {
\t\tsafe = "ok"
\t}
\texec.Command(safe).Run()
\treturn "", nil
}

func main() { lambda.Start(handle) }
"""
    assert flows(run(_app(tmp_path, body)), "api") == [("command", 22)]


def test_a_syntax_error_is_one_code_error(tmp_path: Path) -> None:
    result = run(_app(tmp_path, "func main() { lambda.Start(handle\n"))
    errors = code_errors(result)
    assert [(e.path, e.message.split(";")[0]) for e in errors] == [("main.go", "line 17: Go syntax error")]
    assert fn(result, "api").code_facts is None


def test_lambda_start_without_a_known_handler_is_not_found(tmp_path: Path) -> None:
    result = run(_app(tmp_path, "func main() { lambda.Start(handlers.Get) }\n"))
    facts = fn(result, "api").code_facts
    assert facts is not None
    assert (facts.handler_found, facts.flows) == (False, ())


def test_go1x_runtime_without_go_mod_and_loops_and_switch(tmp_path: Path) -> None:
    functions = """\
legacy:
  handler: main
  runtime: go1.x
  events:
    - http: GET /files
"""
    body = """\
func handle(req events.APIGatewayProxyRequest) (string, error) {
\tname := "index"
\tfor _, v := range req.MultiValueQueryStringParameters["f"] {
\t\tname = v
\t}
\tswitch req.Headers["x-kind"] {
\tcase "a":
\t\tos.Open(name)
\tdefault:
\t\tos.Open("static.txt")
\t}
\treturn "", nil
}

func main() { lambda.Start(handle) }
"""
    root = write_app(tmp_path, functions, {"main.go": _HEAD + body})
    result = run(root)
    assert fn(result, "legacy").code.language == "go"
    assert flows(result, "legacy") == [("path", 24)]
