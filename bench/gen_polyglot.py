#!/usr/bin/env python3
"""Write a synthetic Go or Java serverless app of N functions for the polyglot benchmark (issue 15).

    python bench/gen_polyglot.py --language go|java --dialect serverless|sam --functions 1000 --out DIR [--seed S]

Go: one module (go.mod / go.sum), a `main` package per function under cmd/<fn>/ (aws-lambda-go, handler started with
`lambda.Start`), two shared packages (internal/db, internal/util) and the AWS SDK for Go v2. Serverless Framework:
`provided.al2023`, `package: individually`, `handler: bootstrap`, an artifact per function (bin/<fn>/bootstrap.zip)
built by the root Makefile; SAM: `Metadata: BuildMethod: go1.x`, `CodeUri` the function's cmd/<fn>/ folder.
Java: one Maven project, a class per function implementing `RequestHandler<APIGatewayProxyRequestEvent, …>`, shared
classes (Db, Responses) and the AWS SDK for Java v2. Serverless Framework: `java21`, the project's jar
(target/gen-1.0.jar) as the artifact; SAM: `CodeUri` the project, `Handler: com.acme.gen.FnNNNN::handleRequest`.
The IaC is split as real projects split it: STACK_SIZE functions per stacks/<k>/serverless.yml or template.yaml, the
code at the root (paths in the IaC are relative to the stack's folder).

Each handler is one of a fixed set of cases, drawn with the seed: an injection (SQL, OS command, path, SSRF), its
sanitised twin (placeholder, number parsed, base name, fixed host), a sink reached through a shared package, or
plain SDK calls. The generator returns (and `--out` writes beside the app, as `<app>.expected.json`) the ground
truth: every vulnerable sink as (file, line, rule name), and the files of the safe cases. Same seed and N, same
bytes: no clock, sorted where order is free.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Language = Literal["go", "java"]
Dialect = Literal["serverless", "sam"]
LANGUAGES: tuple[Language, ...] = ("go", "java")
DIALECTS: tuple[Dialect, ...] = ("serverless", "sam")
DEFAULT_SEED = 20261205
STACK_SIZE = 50  # functions per serverless.yml / template.yaml, as bench/generate.py: real projects split them

# case → weight; `*_bad` and `shared_bad` are vulnerable, `*_good` and `sdk` are not
CASES: dict[str, int] = {
    "sql_bad": 10,
    "sql_good": 10,
    "cmd_bad": 8,
    "cmd_good": 8,
    "path_bad": 8,
    "path_good": 8,
    "ssrf_bad": 8,
    "ssrf_good": 8,
    "shared_bad": 8,
    "sdk": 24,
}
RULE_OF = {
    "sql": "sql-injection",
    "cmd": "command-injection",
    "path": "path-traversal",
    "ssrf": "ssrf",
    "shared": "sql-injection",
}


@dataclass(slots=True)
class Truth:
    """What a perfect scanner reports on the app: one entry per vulnerable sink, nothing in the safe files."""

    vulnerable: list[tuple[str, int, str]] = field(default_factory=list)  # (path, line, rule name)
    safe_files: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, object]:
        return {
            "vulnerable": [list(v) for v in sorted(self.vulnerable)],
            "safe_files": sorted(self.safe_files),
        }


class Source:
    """A source file built line by line, so that the generator knows the line of each sink it writes."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, *lines: str) -> int:
        """Append lines; the line number (1-based) of the last one."""
        self.lines.extend(lines)
        return len(self.lines)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def _cases(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    names = sorted(CASES)
    return rng.choices(names, weights=[CASES[c] for c in names], k=n)


def _fn_name(i: int) -> str:
    return f"fn{i:04d}"


# --------------------------------------------------------------------------------------------
# Go
# --------------------------------------------------------------------------------------------

GO_MODULE = "github.com/acme/gen"
GO_REQUIRES = (
    ("github.com/aws/aws-lambda-go", "v1.47.0"),
    ("github.com/aws/aws-sdk-go-v2", "v1.30.3"),
    ("github.com/aws/aws-sdk-go-v2/config", "v1.27.27"),
    ("github.com/aws/aws-sdk-go-v2/service/dynamodb", "v1.34.4"),
    ("github.com/aws/aws-sdk-go-v2/service/s3", "v1.58.2"),
    ("github.com/jackc/pgx/v5", "v5.5.3"),
)


def _go_sum(requires: tuple[tuple[str, str], ...]) -> str:
    lines = []
    for mod, version in sorted(requires):
        for suffix in ("", "/go.mod"):
            # go.sum's shape (h1: base64 of a SHA-256); the value is made up: nothing here is downloaded
            digest = base64.b64encode(hashlib.sha256(f"{mod}@{version}{suffix}".encode()).digest()).decode()
            lines.append(f"{mod} {version}{suffix} h1:{digest}")
    return "\n".join(lines) + "\n"


def _go_shared(root: Path) -> None:
    (root / "internal" / "db").mkdir(parents=True)
    (root / "internal" / "util").mkdir(parents=True)
    (root / "internal" / "db" / "db.go").write_text(
        "// Package db opens the reporting database; every function shares it.\n"
        "package db\n\n"
        'import (\n\t"context"\n\t"database/sql"\n\t"os"\n\n\t_ "github.com/jackc/pgx/v5/stdlib"\n)\n\n'
        "var conn *sql.DB\n\n"
        "// Conn opens the connection once per runtime.\n"
        "func Conn() *sql.DB {\n\tif conn == nil {\n"
        '\t\tconn, _ = sql.Open("pgx", os.Getenv("DB_DSN"))\n\t}\n\treturn conn\n}\n\n'
        "// Delete removes the rows of a table that match a condition written by the caller.\n"
        "func Delete(ctx context.Context, table, where string) error {\n"
        '\t_, err := Conn().ExecContext(ctx, "DELETE FROM "+table+" WHERE "+where)\n\treturn err\n}\n',
        encoding="utf-8",
    )
    (root / "internal" / "util" / "util.go").write_text(
        "// Package util holds small helpers of the handlers.\npackage util\n\n"
        'import (\n\t"encoding/json"\n\n\t"github.com/aws/aws-lambda-go/events"\n)\n\n'
        "// JSON answers a value as a JSON response.\n"
        "func JSON(status int, v any) events.APIGatewayV2HTTPResponse {\n"
        "\tbody, _ := json.Marshal(v)\n"
        "\treturn events.APIGatewayV2HTTPResponse{StatusCode: status, Body: string(body)}\n}\n",
        encoding="utf-8",
    )


_GO_IMPORTS = {
    "sql": ('"fmt"', f'"{GO_MODULE}/internal/db"'),
    "cmd_bad": ('"os/exec"',),
    "cmd_good": ('"os/exec"', '"strconv"'),
    "path": ('"os"', '"path/filepath"'),
    "ssrf_bad": ('"net/http"',),
    "ssrf_good": ('"net/http"', '"net/url"'),
    "shared": (f'"{GO_MODULE}/internal/db"',),
    "sdk": (
        '"os"',
        '"github.com/aws/aws-sdk-go-v2/aws"',
        '"github.com/aws/aws-sdk-go-v2/config"',
        '"github.com/aws/aws-sdk-go-v2/service/dynamodb"',
        '"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"',
    ),
}


def _go_body(src: Source, case: str, truth: Truth, path: str) -> None:
    kind, _, variant = case.partition("_")
    bad = variant == "bad"
    src.add('\tid := req.PathParameters["id"]', '\tq := req.QueryStringParameters["q"]', "\t_, _ = id, q")
    line = 0
    if kind == "sql":
        if bad:
            src.add("\tquery := fmt.Sprintf(\"SELECT * FROM items WHERE name = '%s'\", q)")
            line = src.add("\trows, err := db.Conn().QueryContext(ctx, query)")
        else:
            src.add('\tquery := fmt.Sprintf("SELECT * FROM items WHERE name = $%d", 1)')
            src.add("\trows, err := db.Conn().QueryContext(ctx, query, q)")
        src.add("\tif err != nil {", "\t\treturn util.JSON(500, nil), nil", "\t}", "\trows.Close()")
    elif kind == "cmd":
        if bad:
            line = src.add('\tout, _ := exec.Command("sh", "-c", "grep -c "+q+" /tmp/index").Output()')
        else:
            src.add("\tn, err := strconv.Atoi(q)", "\tif err != nil {", "\t\treturn util.JSON(400, nil), nil", "\t}")
            src.add('\tout, _ := exec.Command("head", "-n", strconv.Itoa(n), "/tmp/index").Output()')
        src.add("\treturn util.JSON(200, string(out)), nil")
        truth.vulnerable.extend([(path, line, RULE_OF[kind])] if bad else [])
        return
    elif kind == "path":
        if bad:
            line = src.add('\tdata, _ := os.ReadFile(filepath.Join("/tmp/cache", id))')
        else:
            src.add('\tdata, _ := os.ReadFile(filepath.Join("/tmp/cache", filepath.Base(id)))')
        src.add("\treturn util.JSON(200, string(data)), nil")
        truth.vulnerable.extend([(path, line, RULE_OF[kind])] if bad else [])
        return
    elif kind == "ssrf":
        if bad:
            line = src.add("\tresp, err := http.Get(q)")
        else:
            src.add('\tresp, err := http.Get("https://catalogue.internal.example/items/" + url.PathEscape(id))')
        src.add("\tif err != nil {", "\t\treturn util.JSON(502, nil), nil", "\t}", "\tresp.Body.Close()")
    elif kind == "shared":
        line = src.add('\tif err := db.Delete(ctx, "carts", "owner = \'"+id+"\'"); err != nil {')
        src.add("\t\treturn util.JSON(500, nil), nil", "\t}")
    else:  # sdk
        src.add(
            "\tcfg, err := config.LoadDefaultConfig(ctx)",
            "\tif err != nil {",
            "\t\treturn util.JSON(500, nil), nil",
            "\t}",
            "\tout, err := dynamodb.NewFromConfig(cfg).GetItem(ctx, &dynamodb.GetItemInput{",
            '\t\tTableName: aws.String(os.Getenv("TABLE_NAME")),',
            '\t\tKey:       map[string]types.AttributeValue{"pk": &types.AttributeValueMemberS{Value: id}},',
            "\t})",
            "\tif err != nil || out.Item == nil {",
            "\t\treturn util.JSON(404, nil), nil",
            "\t}",
        )
    if bad:
        truth.vulnerable.append((path, line, RULE_OF[kind]))
    src.add('\treturn util.JSON(200, map[string]string{"id": id}), nil')


def _go_function(root: Path, name: str, case: str, truth: Truth) -> None:
    kind = case.partition("_")[0]
    folder = root / "cmd" / name
    folder.mkdir(parents=True)
    path = f"cmd/{name}/main.go"
    imports = sorted(
        {
            '"context"',
            '"github.com/aws/aws-lambda-go/events"',
            '"github.com/aws/aws-lambda-go/lambda"',
            f'"{GO_MODULE}/internal/util"',
            *_GO_IMPORTS.get(case, _GO_IMPORTS.get(kind, ())),
        }
    )
    src = Source()
    std = [i for i in imports if "." not in i.split("/")[0]]  # gofmt's grouping: the standard library first
    src.add(f"// {name}: generated handler ({case}).", "package main", "", "import (")
    src.add(*(f"\t{i}" for i in std), "", *(f"\t{i}" for i in imports if i not in std), ")", "")
    signature = "func handler(ctx context.Context, req events.APIGatewayV2HTTPRequest)"
    src.add(f"{signature} (events.APIGatewayV2HTTPResponse, error) {{")
    _go_body(src, case, truth, path)
    src.add("}", "", "func main() {", "\tlambda.Start(handler)", "}")
    (folder / "main.go").write_text(src.text(), encoding="utf-8")
    if not case.endswith("_bad"):
        truth.safe_files.append(path)


def _go_app(root: Path, cases: list[str], dialect: Dialect, truth: Truth) -> None:
    requires = "\n".join(f"\t{m} {v}" for m, v in GO_REQUIRES)
    (root / "go.mod").write_text(f"module {GO_MODULE}\n\ngo 1.22\n\nrequire (\n{requires}\n)\n", encoding="utf-8")
    (root / "go.sum").write_text(_go_sum(GO_REQUIRES), encoding="utf-8")
    _go_shared(root)
    names = [_fn_name(i) for i in range(len(cases))]
    for name, case in zip(names, cases, strict=True):
        _go_function(root, name, case, truth)
    if dialect == "serverless":
        (root / "Makefile").write_text(
            "FUNCTIONS := $(notdir $(wildcard cmd/*))\n\nbuild: $(FUNCTIONS:%=bin/%/bootstrap.zip)\n\n"
            "bin/%/bootstrap.zip:\n"
            "\tGOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags lambda.norpc -o bin/$*/bootstrap ./cmd/$*\n"
            "\tcd bin/$* && zip -q -j bootstrap.zip bootstrap\n",
            encoding="utf-8",
        )
    _iac(root, names, dialect, _go_serverless_fn, _go_sam_fn, "provided.al2023")


def _go_serverless_fn(name: str) -> list[str]:
    return [
        f"  {name}:",
        "    handler: bootstrap",
        "    package:",
        f"      artifact: bin/{name}/bootstrap.zip",
        "    events:",
        f"      - httpApi: GET /{name}/{{id}}",
    ]


def _go_sam_fn(name: str) -> list[str]:
    return [
        f"  {_logical(name)}:",
        "    Type: AWS::Serverless::Function",
        "    Metadata:",
        "      BuildMethod: go1.x",
        "    Properties:",
        f"      CodeUri: ../../cmd/{name}/",
        "      Handler: bootstrap",
        *_sam_event(name),
    ]


# --------------------------------------------------------------------------------------------
# Java
# --------------------------------------------------------------------------------------------

JAVA_PACKAGE = "com.acme.gen"


def _java_shared(src_root: Path) -> None:
    shared = src_root / "shared"
    shared.mkdir(parents=True)
    (shared / "Db.java").write_text(
        f"package {JAVA_PACKAGE}.shared;\n\n"
        "import java.sql.Connection;\nimport java.sql.DriverManager;\nimport java.sql.SQLException;\n\n"
        "/** The reporting database, shared by every function. */\n"
        "public final class Db {\n"
        "    private Db() {}\n\n"
        "    public static Connection connect() throws SQLException {\n"
        '        return DriverManager.getConnection(System.getenv("DB_URL"));\n'
        "    }\n\n"
        "    /** Deletes the rows that match a condition the caller wrote. */\n"
        "    public static void delete(String table, String where) throws SQLException {\n"
        "        try (Connection conn = connect()) {\n"
        '            conn.createStatement().executeUpdate("DELETE FROM " + table + " WHERE " + where);\n'
        "        }\n"
        "    }\n"
        "}\n",
        encoding="utf-8",
    )
    (shared / "Responses.java").write_text(
        f"package {JAVA_PACKAGE}.shared;\n\n"
        "import com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent;\n\n"
        "/** Response helpers. */\n"
        "public final class Responses {\n"
        "    private Responses() {}\n\n"
        "    public static APIGatewayProxyResponseEvent status(int code, String body) {\n"
        "        return new APIGatewayProxyResponseEvent().withStatusCode(code).withBody(body);\n"
        "    }\n"
        "}\n",
        encoding="utf-8",
    )


_JAVA_IMPORTS = {
    "sql": ("java.sql.Connection", "java.sql.PreparedStatement", "java.sql.Statement", f"{JAVA_PACKAGE}.shared.Db"),
    "cmd": (),
    "path": ("java.nio.file.Files", "java.nio.file.Path", "java.nio.file.Paths"),
    "ssrf": ("java.io.InputStream", "java.net.URI", "java.net.URLEncoder", "java.nio.charset.StandardCharsets"),
    "shared": (f"{JAVA_PACKAGE}.shared.Db",),
    "sdk": (
        "software.amazon.awssdk.core.sync.RequestBody",
        "software.amazon.awssdk.services.s3.S3Client",
        "software.amazon.awssdk.services.s3.model.PutObjectRequest",
    ),
}


def _java_body(src: Source, case: str, truth: Truth, path: str) -> None:
    kind, _, variant = case.partition("_")
    bad = variant == "bad"
    src.add(
        '        String id = input.getPathParameters().get("id");',
        '        String q = input.getQueryStringParameters().get("q");',
    )
    line = 0
    if kind == "sql":
        src.add("        try (Connection conn = Db.connect()) {")
        if bad:
            src.add("            Statement stmt = conn.createStatement();")
            line = src.add('            stmt.executeQuery("SELECT * FROM items WHERE name = \'" + q + "\'");')
        else:
            src.add('            PreparedStatement ps = conn.prepareStatement("SELECT * FROM items WHERE name = ?");')
            src.add("            ps.setString(1, q);", "            ps.executeQuery();")
        src.add("        }")
    elif kind == "cmd":
        if bad:
            line = src.add(
                '        Runtime.getRuntime().exec(new String[] {"sh", "-c", "grep -c " + q + " /tmp/index"});'
            )
        else:
            src.add("        int n = Integer.parseInt(q);")
            src.add(
                '        Runtime.getRuntime().exec(new String[] {"head", "-n", Integer.toString(n), "/tmp/index"});'
            )
    elif kind == "path":
        if bad:
            line = src.add('        String body = Files.readString(Path.of("/tmp/cache/" + id));')
        else:
            src.add(
                '        String body = Files.readString(Path.of("/tmp/cache").resolve(Paths.get(id).getFileName()));'
            )
        src.add("        return Responses.status(200, body);")
        truth.vulnerable.extend([(path, line, RULE_OF[kind])] if bad else [])
        return
    elif kind == "ssrf":
        if bad:
            line = src.add("        try (InputStream in = URI.create(q).toURL().openStream()) {")
        else:
            src.add(
                '        String safe = "https://catalogue.internal.example/items/" + '
                "URLEncoder.encode(id, StandardCharsets.UTF_8);",
                "        try (InputStream in = URI.create(safe).toURL().openStream()) {",
            )
        src.add("            in.readAllBytes();", "        }")
    elif kind == "shared":
        line = src.add('        Db.delete("carts", "owner = \'" + id + "\'");')
    else:  # sdk
        src.add(
            "        S3Client.create().putObject(",
            '                PutObjectRequest.builder().bucket(System.getenv("BUCKET")).key("items/" + id).build(),',
            "                RequestBody.fromString(q));",
        )
    if bad:
        truth.vulnerable.append((path, line, RULE_OF[kind]))
    src.add("        return Responses.status(200, id);")


def _java_function(src_root: Path, name: str, case: str, truth: Truth) -> None:
    kind = case.partition("_")[0]
    cls = name.capitalize()
    path = f"src/main/java/{JAVA_PACKAGE.replace('.', '/')}/{cls}.java"
    imports = sorted(
        {
            "com.amazonaws.services.lambda.runtime.Context",
            "com.amazonaws.services.lambda.runtime.RequestHandler",
            "com.amazonaws.services.lambda.runtime.events.APIGatewayProxyRequestEvent",
            "com.amazonaws.services.lambda.runtime.events.APIGatewayProxyResponseEvent",
            f"{JAVA_PACKAGE}.shared.Responses",
            *_JAVA_IMPORTS[kind],
        }
    )
    src = Source()
    src.add(f"package {JAVA_PACKAGE};", "")
    src.add(*(f"import {i};" for i in imports), "")
    src.add(
        f"/** {name}: generated handler ({case}). */",
        f"public class {cls} implements RequestHandler<APIGatewayProxyRequestEvent, APIGatewayProxyResponseEvent> {{",
        "",
        "    @Override",
        "    public APIGatewayProxyResponseEvent handleRequest(APIGatewayProxyRequestEvent input, Context ctx) {",
        "        try {",
    )
    body = Source()
    _java_body(body, case, truth, path)
    offset = len(src.lines)
    src.add(*("    " + line for line in body.lines))
    # the body was numbered from 1: shift its sink lines to where it landed
    truth.vulnerable[:] = [(p, ln + offset, r) if p == path else (p, ln, r) for p, ln, r in truth.vulnerable]
    src.add(
        "        } catch (Exception e) {",
        '            return Responses.status(500, "error");',
        "        }",
        "    }",
        "}",
    )
    (src_root / f"{cls}.java").write_text(src.text(), encoding="utf-8")
    if not case.endswith("_bad"):
        truth.safe_files.append(path)


def _java_app(root: Path, cases: list[str], dialect: Dialect, truth: Truth) -> None:
    src_root = root / "src" / "main" / "java" / Path(*JAVA_PACKAGE.split("."))
    src_root.mkdir(parents=True)
    _java_shared(src_root)
    deps = [
        ("com.amazonaws", "aws-lambda-java-core", "1.2.3"),
        ("com.amazonaws", "aws-lambda-java-events", "3.11.4"),
        ("software.amazon.awssdk", "s3", "2.25.60"),
        ("org.postgresql", "postgresql", "42.7.2"),
    ]
    dep_xml = "".join(
        f"    <dependency>\n      <groupId>{g}</groupId>\n      <artifactId>{a}</artifactId>\n"
        f"      <version>{v}</version>\n    </dependency>\n"
        for g, a, v in deps
    )
    (root / "pom.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n'
        "  <modelVersion>4.0.0</modelVersion>\n  <groupId>com.acme</groupId>\n  <artifactId>gen</artifactId>\n"
        "  <version>1.0</version>\n  <packaging>jar</packaging>\n"
        f"  <dependencies>\n{dep_xml}  </dependencies>\n"
        "  <build>\n    <finalName>gen-1.0</finalName>\n  </build>\n</project>\n",
        encoding="utf-8",
    )
    names = [_fn_name(i) for i in range(len(cases))]
    for name, case in zip(names, cases, strict=True):
        _java_function(src_root, name, case, truth)
    _iac(root, names, dialect, _java_serverless_fn, _java_sam_fn, "java21")


def _java_serverless_fn(name: str) -> list[str]:
    return [
        f"  {name}:",
        f"    handler: {JAVA_PACKAGE}.{name.capitalize()}::handleRequest",
        "    events:",
        f"      - httpApi: GET /{name}/{{id}}",
    ]


def _java_sam_fn(name: str) -> list[str]:
    return [
        f"  {_logical(name)}:",
        "    Type: AWS::Serverless::Function",
        "    Properties:",
        "      CodeUri: ../../",
        f"      Handler: {JAVA_PACKAGE}.{name.capitalize()}::handleRequest",
        *_sam_event(name),
    ]


# --------------------------------------------------------------------------------------------
# IaC, shared by both languages
# --------------------------------------------------------------------------------------------


def _logical(name: str) -> str:
    return name.capitalize() + "Function"


def _sam_event(name: str) -> list[str]:
    return [
        "      Events:",
        "        Api:",
        "          Type: HttpApi",
        "          Properties:",
        f"            Path: /{name}/{{id}}",
        "            Method: get",
    ]


def _iac(
    root: Path,
    names: list[str],
    dialect: Dialect,
    serverless_fn: Callable[[str], list[str]],
    sam_fn: Callable[[str], list[str]],
    runtime: str,
) -> None:
    """One serverless.yml / template.yaml per STACK_SIZE functions, in stacks/<k>/ (the code stays at the root)."""
    for k in range(0, len(names), STACK_SIZE):
        group = names[k : k + STACK_SIZE]
        stack = root / "stacks" / f"s{k // STACK_SIZE:02d}"
        stack.mkdir(parents=True)
        if dialect == "serverless":
            lines = [
                f"service: gen-{k // STACK_SIZE:02d}",
                'frameworkVersion: "3"',
                "provider:",
                "  name: aws",
                f"  runtime: {runtime}",
                "  environment:",
                "    TABLE_NAME: items",
                "    BUCKET: items-bucket",
                "package:",
                "  individually: true" if runtime != "java21" else "  artifact: ../../target/gen-1.0.jar",
                "functions:",
            ]
            for name in group:
                fn = serverless_fn(name)
                if runtime == "provided.al2023":  # the artifact paths are relative to the service folder
                    fn = [line.replace("artifact: bin/", "artifact: ../../bin/") for line in fn]
                lines.extend(fn)
            (stack / "serverless.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")
        else:
            lines = [
                'AWSTemplateFormatVersion: "2010-09-09"',
                "Transform: AWS::Serverless-2016-10-31",
                "Globals:",
                "  Function:",
                f"    Runtime: {runtime}",
                "    Timeout: 10",
                "    Environment:",
                "      Variables:",
                "        TABLE_NAME: items",
                "        BUCKET: items-bucket",
                "Resources:",
            ]
            for name in group:
                lines.extend(sam_fn(name))
            (stack / "template.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def generate(language: Language, dialect: Dialect, n: int, out: Path, seed: int = DEFAULT_SEED) -> Truth:
    """Write the app into `out` (emptied first) and return its ground truth."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    truth = Truth()
    cases = _cases(n, seed)
    if language == "go":
        _go_app(out, cases, dialect, truth)
    else:
        _java_app(out, cases, dialect, truth)
    return truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--language", choices=LANGUAGES, required=True)
    ap.add_argument("--dialect", choices=DIALECTS, default="serverless")
    ap.add_argument("--functions", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    truth = generate(args.language, args.dialect, args.functions, args.out, args.seed)
    manifest = args.out.with_name(args.out.name + ".expected.json")
    manifest.write_text(json.dumps(truth.as_json(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.functions} {args.language} functions ({args.dialect}) to {args.out}; truth in {manifest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
