"""Go and Java functions: the go.mod / pom.xml / Gradle build they are built from, and reachability by imports
(issue 15)."""

from __future__ import annotations

from pathlib import Path

from fnaudit.config import Config
from fnaudit.engines.deps import _go_partly_read
from fnaudit.engines.deps.imports import imported, java_packages
from fnaudit.engines.deps.ranges import allows
from fnaudit.engines.osv.store import Store
from fnaudit.loaders.archives import Artifacts
from fnaudit.loaders.lockfiles import parse_folder
from fnaudit.pipeline import ScanResult, scan
from tests.conftest import SCAN_DATE
from tests.deps.osvdata import record, write_folder


def _write(base: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        (base / rel).write_text(text, encoding="utf-8")
    return base


def _db(tmp_path: Path, records: list) -> str:
    db = tmp_path / "db"
    with Store(db, create=True) as store:
        store.import_source(write_folder(tmp_path / "osv", records))
    return str(db)


def _sam(code_uri: str, handler: str, runtime: str) -> str:
    return f"""\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: {code_uri}
      Handler: {handler}
      Runtime: {runtime}
"""


GO_MOD = """\
module example.com/goapp

go 1.21

require (
\tgithub.com/aws/aws-lambda-go v1.41.0
\tgopkg.in/yaml.v2 v2.2.2
)
"""
GO_MAIN = """\
package main

import (
\t"context"

\t"github.com/aws/aws-lambda-go/lambda"
)

func handler(ctx context.Context, e map[string]string) (string, error) { return "ok", nil }

func main() { lambda.Start(handler) }
"""


def _lockfiles(result: ScanResult) -> dict[str, tuple[str, ...]]:
    return {c.name: tuple(c.lockfiles) for c in result.coverage.functions}


def test_a_go_function_below_its_module_root_is_credited_the_modules_go_mod(tmp_path: Path) -> None:
    app = _write(
        tmp_path / "app",
        {"template.yaml": _sam("cmd/hello/", "hello", "go1.x"), "go.mod": GO_MOD, "cmd/hello/main.go": GO_MAIN},
    )
    result = scan(app, Config(select=("DEP",), today=SCAN_DATE))
    assert _lockfiles(result) == {"Hello": ("go.mod",)}
    (fn,) = result.functions
    assert sorted((p.name, p.version, p.loc.line, p.source) for p in fn.packages) == [
        ("github.com/aws/aws-lambda-go", "v1.41.0", 6, "registry"),
        ("go.mod", None, 5, "manifest"),  # no go.sum beside it: DEP003's
        ("gopkg.in/yaml.v2", "v2.2.2", 7, "registry"),
    ]


def test_serverless_package_patterns_do_not_drop_the_go_module_a_binary_is_built_from(tmp_path: Path) -> None:
    sls = """\
service: s
provider:
  name: aws
  runtime: go1.x
package:
  patterns:
    - '!./**'
    - './bin/**'
functions:
  hello:
    handler: bin/hello
"""
    app = _write(tmp_path / "app", {"serverless.yml": sls, "go.mod": GO_MOD, "hello/main.go": GO_MAIN})
    result = scan(app, Config(select=("DEP",), today=SCAN_DATE))
    assert _lockfiles(result) == {"hello": ("go.mod",)}


JAVA_APP = """\
package hello;

import com.amazonaws.services.lambda.runtime.Context;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

public class App {
    private static final Logger LOG = LogManager.getLogger(App.class);

    public String handleRequest(Object input, Context context) {
        LOG.info("hello");
        return "ok";
    }
}
"""
GRADLE = """\
dependencies {
    implementation 'com.amazonaws:aws-lambda-java-core:1.2.2'
    implementation 'org.apache.logging.log4j:log4j-core:2.14.1'
    implementation 'com.thoughtworks.xstream:xstream:1.4.17'
    implementation 'org.example.tools:helpers:1.0.0'
    implementation 'com.google.code.gson:gson:2.+'
}
"""
JAVA_RECORDS = [
    record(
        "GHSA-log4shell",
        "Maven",
        "org.apache.logging.log4j:log4j-core",
        events=[{"introduced": "2.0"}, {"fixed": "2.15.0"}],
    ),
    record(
        "GHSA-xstream", "Maven", "com.thoughtworks.xstream:xstream", events=[{"introduced": "0"}, {"fixed": "1.4.18"}]
    ),
    record("GHSA-helpers", "Maven", "org.example.tools:helpers", events=[{"introduced": "0"}, {"fixed": "1.0.1"}]),
    record("GHSA-gson", "Maven", "com.google.code.gson:gson", events=[{"introduced": "0"}, {"fixed": "2.8.9"}]),
]


def _reach(result: ScanResult) -> dict[str, tuple[str, ...]]:
    (fn,) = result.functions
    return {
        p.name: tuple(a.reachable for a in (*(p.advisories or ()), *p.partial))
        for p in fn.packages
        if p.source == "registry"
    }


def test_a_java_function_is_credited_the_gradle_build_above_its_code_uri_and_reachability_follows_imports(
    tmp_path: Path,
) -> None:
    app = _write(
        tmp_path / "app",
        {
            "template.yaml": _sam("hello/src/main/java", "hello.App::handleRequest", "java17"),
            "hello/build.gradle": GRADLE,
            "hello/src/main/java/hello/App.java": JAVA_APP,
            "hello/src/test/java/hello/AppTest.java": "package hello;\nimport com.thoughtworks.xstream.XStream;\n",
        },
    )
    result = scan(app, Config(select=("DEP",), today=SCAN_DATE, db=_db(tmp_path, JAVA_RECORDS)))
    assert _lockfiles(result) == {"Hello": ("hello/build.gradle",)}
    (fn,) = result.functions
    assert fn.code_facts is not None and "org.apache.logging.log4j.LogManager" in fn.code_facts.imports
    assert _reach(result) == {
        "com.amazonaws:aws-lambda-java-core": (),
        "org.apache.logging.log4j:log4j-core": ("reachable",),
        "com.thoughtworks.xstream:xstream": ("not-reachable",),  # only a test imports it
        "org.example.tools:helpers": ("unknown",),  # known by its groupId only: a miss says nothing
        "com.google.code.gson:gson": ("not-reachable",),  # a range: every 2.x before 2.8.9
    }
    got = {(f.rule_id, f.location.path, f.location.line) for f in result.findings}
    assert ("DEP001", "hello/build.gradle", 3) in got and ("DEP005", "hello/build.gradle", 6) in got
    assert ("DEP003", "hello/build.gradle", 1) in got  # no gradle.lockfile


def test_java_sources_the_code_engine_did_not_read_make_a_miss_unknown(tmp_path: Path) -> None:
    app = _write(
        tmp_path / "app",
        {
            "template.yaml": _sam("hello", "hello.App::handleRequest", "java17"),
            "hello/build.gradle": GRADLE,
            "hello/src/main/java/hello/App.java": JAVA_APP,
            # same package, no import needed: App may call it, and it uses XStream
            "hello/src/main/java/hello/Store.java": "package hello;\nimport com.thoughtworks.xstream.XStream;\n",
        },
    )
    result = scan(app, Config(select=("DEP",), today=SCAN_DATE, db=_db(tmp_path, JAVA_RECORDS)))
    (fn,) = result.functions
    assert fn.code_facts is not None and fn.code_facts.files == ("hello/src/main/java/hello/App.java",)
    reach = _reach(result)
    assert reach["org.apache.logging.log4j:log4j-core"] == ("reachable",)
    assert reach["com.thoughtworks.xstream:xstream"] == ("unknown",)


def test_a_maven_module_is_credited_its_pom_with_the_parents_managed_versions_and_dependencies(tmp_path: Path) -> None:
    parent = """\
<project><modelVersion>4.0.0</modelVersion>
  <groupId>org.example</groupId><artifactId>parent</artifactId><version>1.0</version><packaging>pom</packaging>
  <properties><jackson.version>2.9.8</jackson.version></properties>
  <dependencyManagement><dependencies>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId>
      <version>${jackson.version}</version></dependency>
  </dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>1.7.30</version></dependency>
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.13.1</version><scope>test</scope>
    </dependency>
  </dependencies>
</project>
"""
    module = """\
<project><modelVersion>4.0.0</modelVersion>
  <parent><groupId>org.example</groupId><artifactId>parent</artifactId><version>1.0</version></parent>
  <artifactId>fn</artifactId>
  <dependencies>
    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId></dependency>
  </dependencies>
</project>
"""
    app = _write(
        tmp_path / "app",
        {
            "template.yaml": _sam("fn/src/main/java", "hello.App::handleRequest", "java17"),
            "pom.xml": parent,
            "fn/pom.xml": module,
            "fn/src/main/java/hello/App.java": JAVA_APP,
        },
    )
    result = scan(app, Config(select=("DEP",), today=SCAN_DATE))
    assert _lockfiles(result) == {"Hello": ("fn/pom.xml", "pom.xml")}
    (fn,) = result.functions
    # the parent's own <dependencies> are inherited, at the parent's lines (its test-scoped junit is not deployed)
    assert [(p.name, p.version, p.loc.path, p.loc.line) for p in fn.packages] == [
        ("com.fasterxml.jackson.core:jackson-databind", "2.9.8", "fn/pom.xml", 5),
        ("org.slf4j:slf4j-api", "1.7.30", "pom.xml", 9),
    ]


def test_java_artifacts_map_to_their_packages() -> None:
    log4j = "org.apache.logging.log4j:log4j-core"
    assert imported("Maven", log4j, ("org.apache.logging.log4j.LogManager",)) is True
    assert imported("Maven", log4j, ("org.slf4j.LoggerFactory",)) is True  # the facade reaches the back end
    assert imported("Maven", log4j, ("java.util.List",)) is False
    assert imported("Maven", "org.postgresql:postgresql", ("java.sql.DriverManager",)) is True  # by its URL
    assert imported("Maven", "com.squareup.okhttp3:okhttp", ("okhttp3.OkHttpClient",)) is True
    assert imported("Maven", "com.google.guava:guava", ("com.google.common.collect.ImmutableList",)) is True
    assert imported("Maven", "org.yaml:snakeyaml", ("static org.yaml.snakeyaml.Yaml.load",)) is True
    assert imported("Maven", "software.amazon.awssdk:s3", ("software.amazon.awssdk.services.s3.S3Client",)) is True
    assert imported("Maven", "software.amazon.awssdk:s3", ("software.amazon.awssdk.services.sqs.SqsClient",)) is False
    assert imported("Maven", "com.amazonaws:aws-java-sdk-s3", ("com.amazonaws.services.s3.AmazonS3",)) is True
    assert imported("Maven", "org.springframework:spring-web", ("org.springframework.web.bind.annotation.GetMapping",))
    # Spring wires beans from configuration: what it loads is not in the imports
    assert imported("Maven", "org.yaml:snakeyaml", ("org.springframework.boot.SpringApplication",)) is None
    # known only by its groupId: a hit counts, a miss says nothing
    assert imported("Maven", "org.example.tools:helpers", ("org.example.tools.Strings",)) is True
    assert imported("Maven", "org.example.tools:helpers", ("java.util.List",)) is None
    assert java_packages("org.apache.commons:commons-collections4") == (("org.apache.commons.collections4",), True)


def test_go_stdlib_is_always_reachable_and_modules_match_by_path_prefix() -> None:
    assert imported("Go", "stdlib", ()) is True
    assert imported("Go", "github.com/aws/aws-lambda-go", ("github.com/aws/aws-lambda-go/lambda",)) is True
    assert imported("Go", "gopkg.in/yaml.v2", ("github.com/aws/aws-lambda-go/lambda", "context")) is False
    assert imported("Go", "github.com/aws/aws-lambda-go", ("github.com/aws/aws-lambda-go-extra",)) is False


def test_go_imports_of_unread_packages_of_the_own_module_leave_reachability_open(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "go.mod": GO_MOD + "\nrequire example.com/shared v0.0.0\nreplace example.com/shared => ../shared\n",
            "cmd/hello/main.go": GO_MAIN,
            "internal/db/db.go": "package db\n",
        },
    ).resolve()
    files = Artifacts(root)
    pkgs = parse_folder(root, root, files).packages
    main = {root / "cmd/hello/main.go"}
    lib = ("github.com/aws/aws-lambda-go/lambda",)
    assert _go_partly_read(files, lib, pkgs, main) is False
    assert _go_partly_read(files, (*lib, "example.com/goapp/internal/db"), pkgs, main) is True
    assert (
        _go_partly_read(files, ("example.com/goapp/internal/db",), pkgs, {*main, root / "internal/db/db.go"}) is False
    )
    assert _go_partly_read(files, ("example.com/shared/util",), pkgs, main) is True  # a local replacement


def test_maven_and_gradle_ranges_are_read() -> None:
    cases = {
        "2.+": ["2.0", "2.13.1", "2.5"],
        "[1.0,2.0)": ["1.0", "1.2", "1.2.1", "1.5", "1.6"],
        "(,1.5]": ["0.1", "1.0", "1.2", "1.2.1", "1.5"],
        "[1.2]": ["1.2"],
        "[1,2),[3,4)": ["1.0", "1.2", "1.2.1", "1.5", "1.6", "3.0", "3.1"],
    }
    probe = ["0.1", "1.0", "1.2", "1.2.1", "1.5", "1.6", "2.0", "2.13.1", "2.5", "3.0", "3.1", "4.0"]
    for requirement, inside in cases.items():
        read = allows("Maven", requirement)
        assert read is not None, requirement
        assert [v for v in probe if read[0](v)] == inside, requirement
    for placeholder in ("(version not declared)", "(version from platform a:b:1.0)", "${pgVersion}"):
        assert allows("Maven", placeholder) is None


def test_a_java_module_depending_on_a_sibling_module_leaves_a_miss_unknown(tmp_path: Path) -> None:
    files = {
        "template.yaml": _sam("hello", "hello.App::handleRequest", "java17"),
        "settings.gradle": "include 'hello', 'common'\n",
        "hello/build.gradle": GRADLE,
        "hello/src/main/java/hello/App.java": JAVA_APP,
    }
    alone = scan(
        _write(tmp_path / "alone", files), Config(select=("DEP",), today=SCAN_DATE, db=_db(tmp_path, JAVA_RECORDS))
    )
    assert _reach(alone)["com.thoughtworks.xstream:xstream"] == ("not-reachable",)
    files["hello/build.gradle"] = GRADLE.replace(
        "dependencies {\n", "dependencies {\n    implementation project(':common')\n"
    )
    files["common/src/main/java/common/Codec.java"] = "package common;\nimport com.thoughtworks.xstream.XStream;\n"
    sibling = scan(
        _write(tmp_path / "sibling", files), Config(select=("DEP",), today=SCAN_DATE, db=str(tmp_path / "db"))
    )
    assert _reach(sibling)["com.thoughtworks.xstream:xstream"] == ("unknown",)
    assert _reach(sibling)["org.apache.logging.log4j:log4j-core"] == ("reachable",)
