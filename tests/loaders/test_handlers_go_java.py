"""Where a Go or Java function's code is (issue 15): main packages found by binary name, Makefile and
layout; Java/Kotlin classes in the Maven/Gradle project; Spring Cloud Function, Micronaut and Quarkus
entries; artifact-deployed Java tied to the project that builds the jar, with the match's confidence."""

from __future__ import annotations

import textwrap
import time
from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders.handlers import locate_artifact, resolve_code
from fnaudit.model.app import Code
from fnaudit.pipeline import scan
from fnaudit.report import json as json_report
from tests.conftest import SCAN_DATE

GO_MAIN = 'package main\n\nimport "github.com/aws/aws-lambda-go/lambda"\n\nfunc main() { lambda.Start(handle) }\n'
GO_LIB = "package main\n\nfunc handle() error { return nil }\n"
JAVA = (
    "package com.acme;\n\npublic class {cls} {{\n"
    "  public String handleRequest(Object in, Object ctx) {{ return null; }}\n}}\n"
)
POM = """\
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.acme</groupId>
  <artifactId>{artifact}</artifactId>
  <version>{version}</version>{build}
</project>
"""


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def _code(root: Path, folder: str, handler: str, runtime: str, **kw: object) -> Code:
    return resolve_code(ScanRoot.of(root), (root / folder).resolve(), handler, runtime, **kw)  # type: ignore[arg-type]


def _where(code: Code) -> tuple[object, ...]:
    return (code.language, code.in_repo, code.root, code.handler_file, code.handler_symbol, code.note)


# ---- Go ------------------------------------------------------------------------------------------


def test_go_code_folder_is_the_main_package_and_test_files_and_other_packages_are_ignored(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "go.mod": "module example.com/hello\n",
            "hello/a_test.go": GO_MAIN,  # a test file calling lambda.Start is not the handler
            "hello/b.go": "package hello\n\nfunc x() { lambda.Start(nil) }\n",  # not package main
            "hello/handler.go": GO_LIB,
            "hello/main.go": GO_MAIN,
        },
    )
    assert _where(_code(tmp_path, "hello", "bootstrap", "provided.al2")) == (
        "go",
        True,
        "hello",
        "hello/main.go",
        "bootstrap",
        None,
    )


@pytest.mark.parametrize(
    ("handler", "names", "expected"),
    [
        ("bootstrap", ("OrdersFunction",), "cmd/orders/main.go"),  # SAM logical id → cmd/orders
        ("bin/users", (), "users/main.go"),  # go1.x `handler: bin/users` → users/
        ("bin/billing", (), "functions/billing/main.go"),
    ],
)
def test_go_main_package_chosen_by_binary_name(
    tmp_path: Path, handler: str, names: tuple[str, ...], expected: str
) -> None:
    _write(
        tmp_path,
        {
            "go.mod": "module example.com/shop\n",
            "cmd/orders/main.go": GO_MAIN,
            "users/main.go": GO_MAIN,
            "functions/billing/main.go": GO_MAIN,
        },
    )
    code = _code(tmp_path, ".", handler, "go1.x", names=names)
    assert _where(code) == ("go", True, "", expected, handler, None)


def test_go_several_main_packages_and_no_name_is_a_note(tmp_path: Path) -> None:
    _write(tmp_path, {"go.mod": "module m\n", "cmd/a/main.go": GO_MAIN, "cmd/b/main.go": GO_MAIN})
    code = _code(tmp_path, ".", "bootstrap", "provided.al2023")
    assert _where(code) == (
        "go",
        True,
        "",
        None,
        "bootstrap",
        "several main packages under . (cmd/a, cmd/b) and no binary name to choose one by",
    )


def test_go_only_main_package_is_chosen_without_a_name(tmp_path: Path) -> None:
    _write(tmp_path, {"go.mod": "module m\n", "cmd/api/main.go": GO_MAIN, "cmd/api/handler.go": GO_LIB})
    assert _code(tmp_path, ".", "bootstrap", "provided.al2023").handler_file == "cmd/api/main.go"


def test_go_makefile_names_the_folder_of_a_binary(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "go.mod": "module m\n",
            "Makefile": (
                "build:\n"
                '\tenv GOOS=linux go build -ldflags="-s -w" -o bin/api ./services/http-api\n'
                "\tgo build -trimpath -o bin/worker/bootstrap services/queue/main.go\n"
            ),
            "services/http-api/main.go": GO_MAIN,
            "services/queue/main.go": GO_MAIN,
        },
    )
    assert _code(tmp_path, ".", "bin/api", "go1.x").handler_file == "services/http-api/main.go"
    assert _code(tmp_path, ".", "bin/worker", "go1.x").handler_file == "services/queue/main.go"


def test_go_sam_makefile_build_rule_of_the_logical_id(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "go.mod": "module m\n",
            "Makefile": "build-OrdersFn:\n\tGOOS=linux go build -o $(ARTIFACTS_DIR)/bootstrap ./lambdas/ord\n",
            "lambdas/ord/main.go": GO_MAIN,
            "lambdas/other/main.go": GO_MAIN,
        },
    )
    code = _code(tmp_path, ".", "bootstrap", "provided.al2023", names=("OrdersFn",))
    assert code.handler_file == "lambdas/ord/main.go"


def test_go_nothing_found_is_a_note_and_custom_runtime_without_go_stays_custom(tmp_path: Path) -> None:
    _write(tmp_path, {"go/go.mod": "module m\n", "go/main.go": "package main\n\nfunc main() {}\n", "rs/main.rs": ""})
    assert _where(_code(tmp_path, "go", "bootstrap", "provided.al2")) == (
        "go",
        True,
        "go",
        None,
        "bootstrap",
        "no main package calling lambda.Start under go",
    )
    assert _where(_code(tmp_path, "rs", "bootstrap", "provided.al2")) == (
        "custom",
        True,
        "rs",
        None,
        "bootstrap",
        "handler files are not resolved for custom",
    )


def test_go_serverless_individual_artifacts_resolve_to_their_sources(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "serverless.yml": """\
                service: shop
                provider: {name: aws, runtime: provided.al2023}
                package: {individually: true}
                functions:
                  orders:
                    handler: bootstrap
                    package: {artifact: bin/orders.zip}
                  users:
                    handler: bootstrap
                    package: {artifact: bin/users/bootstrap.zip}
                """,
            "go.mod": "module m\n",
            "cmd/orders/main.go": GO_MAIN,
            "cmd/users/main.go": GO_MAIN,
        },
    )
    result = scan(tmp_path, Config(select=("CODE",), today=SCAN_DATE))
    codes = {f.name: (f.code.language, f.code.handler_file, f.code.note) for f in result.functions}
    assert codes == {"orders": ("go", "cmd/orders/main.go", None), "users": ("go", "cmd/users/main.go", None)}


def test_go_artifact_built_outside_the_service_folder_resolves_from_the_module_that_builds_it(tmp_path: Path) -> None:
    """A monorepo: services in `stacks/<name>/`, binaries built by the repository's Makefile into `bin/`."""
    _write(
        tmp_path,
        {
            "stacks/shop/serverless.yml": """\
                service: shop
                provider: {name: aws, runtime: provided.al2023}
                package: {individually: true}
                functions:
                  orders:
                    handler: bootstrap
                    package: {artifact: ../../bin/orders/bootstrap.zip}
                """,
            "go.mod": "module m\n",
            "Makefile": "bin/%/bootstrap.zip:\n\tgo build -o bin/$*/bootstrap ./cmd/$*\n",
            "cmd/orders/main.go": GO_MAIN,
            "cmd/users/main.go": GO_MAIN,
        },
    )
    result = scan(tmp_path, Config(select=("CODE",), today=SCAN_DATE))
    codes = {f.name: (f.code.language, f.code.handler_file, f.code.note) for f in result.functions}
    assert codes == {"orders": ("go", "cmd/orders/main.go", None)}


def test_go_artifact_with_no_source_keeps_the_artifact_note(tmp_path: Path) -> None:
    root = ScanRoot.of(tmp_path)
    code = locate_artifact(root, tmp_path, "bin/gone.zip", "bootstrap", "provided.al2", lambda m: None)
    assert _where(code) == (
        "custom",
        False,
        None,
        None,
        None,
        "deployed from the artifact bin/gone.zip; its code is not read",
    )


def test_sam_build_method_go_codeuri_folder(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "template.yaml": """\
                Transform: AWS::Serverless-2016-10-31
                Resources:
                  HelloFunction:
                    Type: AWS::Serverless::Function
                    Metadata: {BuildMethod: go1.x}
                    Properties: {CodeUri: hello-world/, Handler: bootstrap, Runtime: provided.al2023}
                """,
            "go.mod": "module m\n",
            "hello-world/main.go": GO_MAIN,
        },
    )
    (fn,) = scan(tmp_path, Config(select=("CODE",), today=SCAN_DATE)).functions
    assert _where(fn.code) == ("go", True, "hello-world", "hello-world/main.go", "bootstrap", None)


# ---- Java and Kotlin -----------------------------------------------------------------------------


def test_java_class_without_method_is_its_handle_request_in_the_project_around_the_code_folder(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "orders/pom.xml": POM.format(artifact="orders", version="1.0", build=""),
            "orders/src/main/java/com/acme/Orders.java": JAVA.format(cls="Orders"),
            "orders/lambda/README.md": "",
        },
    )
    assert _where(_code(tmp_path, "orders/lambda", "com.acme.Orders", "java21")) == (
        "java",
        True,
        "orders/lambda",
        "orders/src/main/java/com/acme/Orders.java",
        "Orders::handleRequest",
        None,
    )


def test_java_class_in_a_module_of_a_parent_project(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pom.xml": POM.format(artifact="parent", version="1.0", build=""),
            "api/src/main/java/com/acme/Api.java": JAVA.format(cls="Api"),
        },
    )
    code = _code(tmp_path, ".", "com.acme.Api::handleRequest", "java17")
    assert (code.handler_file, code.handler_symbol) == ("api/src/main/java/com/acme/Api.java", "Api::handleRequest")


def test_kotlin_handler_is_kotlin(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "build.gradle.kts": 'plugins { kotlin("jvm") }\n',
            "src/main/kotlin/com/acme/Handler.kt": "package com.acme\n\nclass Handler\n",
            "src/main/kotlin/com/acme/Funcs.kt": "package com.acme\n\nfun handle(input: String) = input\n",
        },
    )
    assert _where(_code(tmp_path, ".", "com.acme.Handler::handleRequest", "java21")) == (
        "kotlin",
        True,
        "",
        "src/main/kotlin/com/acme/Handler.kt",
        "Handler::handleRequest",
        None,
    )
    # top-level functions of Funcs.kt are the class FuncsKt
    assert (
        _code(tmp_path, ".", "com.acme.FuncsKt::handle", "java21").handler_file == "src/main/kotlin/com/acme/Funcs.kt"
    )


SPRING = "org.springframework.cloud.function.adapter.aws.FunctionInvoker::handleRequest"
_UPPER = """\
package com.acme;

import java.util.function.Function;

@Component
public class Uppercase implements Function<String, String> {
  public String apply(String s) { return s.toUpperCase(); }
}
"""
_CONFIG = """\
package com.acme;

@Configuration
public class Config {
  @Bean
  public Function<String, String> reverse() { return s -> s; }

  @Bean
  public Consumer<String> audit() { return s -> {}; }
}
"""


def test_spring_cloud_function_definition_in_application_properties(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "pom.xml": POM.format(artifact="fn", version="1", build=""),
            "src/main/java/com/acme/Uppercase.java": _UPPER,
            "src/main/java/com/acme/Config.java": _CONFIG,
            "src/main/resources/application.properties": "spring.cloud.function.definition=uppercase\n",
        },
    )
    assert _where(_code(tmp_path, ".", SPRING, "java21")) == (
        "java",
        True,
        "",
        "src/main/java/com/acme/Uppercase.java",
        "Uppercase::apply",
        "Spring Cloud Function bean uppercase (Uppercase)",
    )


def test_spring_cloud_function_env_var_chooses_a_bean_method_and_several_without_one_is_a_note(
    tmp_path: Path,
) -> None:
    _write(
        tmp_path,
        {"pom.xml": POM.format(artifact="fn", version="1", build=""), "src/main/java/com/acme/Config.java": _CONFIG},
    )
    code = _code(tmp_path, ".", SPRING, "java21", env={"SPRING_CLOUD_FUNCTION_DEFINITION": "audit"})
    assert _where(code) == (
        "java",
        True,
        "",
        "src/main/java/com/acme/Config.java",
        "Config::audit",
        "Spring Cloud Function bean audit (the @Bean method Config.audit)",
    )
    assert _where(_code(tmp_path, ".", SPRING, "java21")) == (
        "java",
        True,
        "",
        None,
        None,
        "Spring Cloud Function: several function beans (audit, reverse) and no spring.cloud.function.definition",
    )


@pytest.mark.parametrize(
    ("handler", "annotation", "label"),
    [
        ("io.micronaut.function.aws.proxy.MicronautLambdaHandler", '@Controller("/orders")', "Micronaut"),
        ("io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest", '@Path("/orders")', "Quarkus"),
    ],
)
def test_micronaut_and_quarkus_point_at_the_first_route_class(
    tmp_path: Path, handler: str, annotation: str, label: str
) -> None:
    route_class = f"package com.acme;\n\n{annotation}\npublic class CLS {{}}\n"
    _write(
        tmp_path,
        {
            "build.gradle": "plugins { id 'java' }\n",
            "src/main/java/com/acme/Application.java": "package com.acme;\n\npublic class Application {}\n",
            "src/main/java/com/acme/OrdersResource.java": route_class.replace("CLS", "OrdersResource"),
            "src/main/java/com/acme/UsersResource.java": route_class.replace("CLS", "UsersResource"),
        },
    )
    what = annotation.split("(")[0]
    assert _where(_code(tmp_path, ".", handler, "java21")) == (
        "java",
        True,
        "",
        "src/main/java/com/acme/OrdersResource.java",
        "OrdersResource",
        f"{label} app: the routes of its {what} classes are the entries; "
        f"OrdersResource is the first (2 {what} classes)",
    )


# ---- artifact-deployed Java ----------------------------------------------------------------------

_SHADE = """
  <build>
    <plugins>
      <plugin>
        <groupId>org.apache.maven.plugins</groupId>
        <artifactId>maven-shade-plugin</artifactId>
        <configuration><finalName>${project.artifactId}-lambda</finalName></configuration>
      </plugin>
    </plugins>
  </build>"""


def _projects(root: Path) -> Path:
    return _write(
        root,
        {
            "orders/pom.xml": POM.format(artifact="orders", version="1.0", build=""),
            "orders/src/main/java/com/acme/Orders.java": JAVA.format(cls="Orders"),
            "billing/pom.xml": POM.format(artifact="billing-svc", version="${revision}", build=_SHADE).replace(
                "<modelVersion>", "<properties><revision>2.3</revision></properties><modelVersion>"
            ),
            "billing/src/main/java/com/acme/Billing.java": JAVA.format(cls="Billing"),
            "reports/settings.gradle": "rootProject.name = 'reports-app'\n",
            "reports/build.gradle": "plugins { id 'java' }\nversion = '0.9'\n",
            "reports/src/main/java/com/acme/Reports.java": JAVA.format(cls="Reports"),
        },
    )


@pytest.mark.parametrize(
    ("artifact", "handler", "project", "note"),
    [
        (
            "orders/target/orders-1.0.jar",
            "com.acme.Orders::handleRequest",
            "orders",
            "built by orders/pom.xml artifactId orders, version 1.0 (match confidence high)",
        ),
        (
            "billing/target/billing-svc-lambda.jar",
            "com.acme.Billing",
            "billing",
            "built by billing/pom.xml shade plugin <finalName>billing-svc-lambda</finalName> (match confidence high)",
        ),
        (
            "reports/build/distributions/reports-app-0.9.zip",
            "com.acme.Reports",
            "reports",
            "built by reports/build.gradle rootProject.name reports-app, version 0.9 (match confidence high)",
        ),
        (
            "orders/target/orders-1.1-SNAPSHOT.jar",
            "com.acme.Orders",
            "orders",
            "built by orders/pom.xml artifactId orders is a prefix of the artifact's name (match confidence medium)",
        ),
    ],
)
def test_java_artifact_is_tied_to_the_project_that_builds_it(
    tmp_path: Path, artifact: str, handler: str, project: str, note: str
) -> None:
    _projects(tmp_path)
    code = locate_artifact(ScanRoot.of(tmp_path), tmp_path, artifact, handler, "java21", lambda m: None)
    cls = handler.split("::")[0].rsplit(".", 1)[1]
    assert _where(code) == (
        "java",
        True,
        project,
        f"{project}/src/main/java/com/acme/{cls}.java",
        f"{cls}::handleRequest",
        f"deployed from the artifact {artifact}, {note}",
    )


def test_java_artifact_of_the_only_project_is_low_confidence_and_of_none_a_note(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "svc/pom.xml": POM.format(artifact="svc", version="1", build=""),
            "svc/src/main/java/com/acme/A.java": JAVA.format(cls="A"),
        },
    )
    code = locate_artifact(ScanRoot.of(tmp_path), tmp_path, "dist/lambda.jar", "com.acme.A", "java21", lambda m: None)
    assert (code.root, code.handler_file, code.note) == (
        "svc",
        "svc/src/main/java/com/acme/A.java",
        "deployed from the artifact dist/lambda.jar, built by the only Java project in the scanned folder "
        "(svc/pom.xml) (match confidence low)",
    )
    (tmp_path / "svc/pom.xml").unlink()
    code = locate_artifact(ScanRoot.of(tmp_path), tmp_path, "dist/lambda.jar", "com.acme.A", "java21", lambda m: None)
    assert _where(code) == (
        "java",
        False,
        None,
        None,
        None,
        "deployed from the artifact dist/lambda.jar; no Maven or Gradle project in the scanned folder builds it",
    )


def test_sam_codeuri_jar_and_cloudformation_s3_key_are_tied_to_their_projects(tmp_path: Path) -> None:
    _projects(tmp_path)
    _write(
        tmp_path,
        {
            "sam/template.yaml": """\
                Transform: AWS::Serverless-2016-10-31
                Resources:
                  Orders:
                    Type: AWS::Serverless::Function
                    Properties: {CodeUri: ../orders/target/orders-1.0.jar, Handler: com.acme.Orders, Runtime: java21}
                """,
            "cfn/stack.yaml": """\
                Resources:
                  Billing:
                    Type: AWS::Lambda::Function
                    Properties:
                      Runtime: java17
                      Handler: com.acme.Billing::handleRequest
                      Role: arn:aws:iam::123456789012:role/r
                      Code: {S3Bucket: deploy-bucket, S3Key: releases/billing-svc-2.3.jar}
                """,
        },
    )
    result = scan(tmp_path, Config(select=("CODE",), today=SCAN_DATE))
    codes = {f.name: (f.code.root, f.code.handler_file, f.code.note) for f in result.functions}
    assert codes == {
        "Orders": (
            "orders",
            "orders/src/main/java/com/acme/Orders.java",
            "deployed from the artifact orders/target/orders-1.0.jar, built by orders/pom.xml artifactId orders, "
            "version 1.0 (match confidence high)",
        ),
        "Billing": (
            "billing",
            "billing/src/main/java/com/acme/Billing.java",
            "deployed from the artifact releases/billing-svc-2.3.jar, built by billing/pom.xml artifactId billing-svc, "
            "version 2.3 (match confidence high)",
        ),
    }


def test_coverage_lists_the_code_files_of_go_java_and_kotlin_functions(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "serverless.yml": """\
                service: poly
                provider: {name: aws}
                functions:
                  goapi:
                    runtime: provided.al2023
                    handler: bin/goapi
                  orders:
                    runtime: java21
                    handler: com.acme.Orders::handleRequest
                    package: {artifact: orders/target/orders-1.0.jar}
                  kt:
                    runtime: java21
                    handler: com.acme.Kt::handleRequest
                """,
            "go.mod": "module m\n",
            "cmd/goapi/main.go": GO_MAIN,
            "cmd/goapi/handler.go": GO_LIB,
            "orders/pom.xml": POM.format(artifact="orders", version="1.0", build=""),
            "orders/src/main/java/com/acme/Orders.java": JAVA.format(cls="Orders"),
            "src/main/kotlin/com/acme/Kt.kt": "package com.acme\n\nclass Kt\n",
        },
    )
    doc = json_report.document(scan(tmp_path, Config(today=SCAN_DATE)))
    functions = {f["name"]: (f["code_files"], f["code_note"]) for f in doc["coverage"]["functions"]}
    assert functions == {
        "goapi": (["cmd/goapi/handler.go", "cmd/goapi/main.go"], None),
        "orders": (["orders/src/main/java/com/acme/Orders.java"], None),
        "kt": (["src/main/kotlin/com/acme/Kt.kt"], None),
    }
    assert not [e for e in doc["errors"] if e["path"] == "src/main/kotlin/com/acme/Kt.kt"]


@pytest.mark.parametrize(
    ("build_file", "text", "artifact", "why"),
    [
        (
            "build.gradle.kts",
            'version = "2"\nbase { archivesName.set("inv") }\n',
            "build/libs/inv-2.jar",
            "base.archivesName inv, version 2",
        ),
        (
            "build.gradle.kts",
            'tasks.shadowJar { archiveFileName.set("inv-lambda.jar") }\n',
            "build/libs/inv-lambda.jar",
            "archiveFileName inv-lambda.jar",
        ),
        (
            "build.gradle",
            "version '1.1'\njar { archiveBaseName = 'pay' }\n",
            "pay-1.1.jar",
            "archiveBaseName pay, version 1.1",
        ),
    ],
)
def test_gradle_archive_names_match_exactly(
    tmp_path: Path, build_file: str, text: str, artifact: str, why: str
) -> None:
    _write(
        tmp_path,
        {
            f"svc/{build_file}": text,
            "svc/src/main/java/com/acme/A.java": JAVA.format(cls="A"),
            "other/pom.xml": POM.format(artifact="other", version="1", build=""),
        },
    )
    code = locate_artifact(ScanRoot.of(tmp_path), tmp_path, artifact, "com.acme.A", "java21", lambda m: None)
    assert (code.root, code.handler_file, code.note) == (
        "svc",
        "svc/src/main/java/com/acme/A.java",
        f"deployed from the artifact {artifact}, built by svc/{build_file} {why} (match confidence high)",
    )


def test_spring_cloud_function_definition_in_application_yml(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "build.gradle": "plugins { id 'java' }\n",
            "src/main/java/com/acme/Config.java": _CONFIG,
            "src/main/resources/application.yml": "spring:\n  cloud:\n    function:\n      definition: reverse\n",
        },
    )
    code = _code(tmp_path, ".", SPRING, "java21")
    assert (code.handler_file, code.handler_symbol) == ("src/main/java/com/acme/Config.java", "Config::reverse")


def test_links_out_of_the_root_are_never_followed(tmp_path: Path) -> None:
    outside = _write(
        tmp_path / "outside",
        {
            "main.go": GO_MAIN,
            "pom.xml": POM.format(artifact="evil", version="1", build=""),
            "src/main/java/com/acme/E.java": JAVA.format(cls="E"),
        },
    )
    root = _write(tmp_path / "root", {"go.mod": "module m\n", "cmd/ok/README.md": ""})
    (root / "cmd/evil").symlink_to(outside, target_is_directory=True)
    (root / "evil-project").symlink_to(outside, target_is_directory=True)
    # the linked main package is not a candidate, by name or as the only one
    code = _code(root, ".", "bin/evil", "go1.x")
    assert (code.handler_file, code.note) == (None, "no main package calling lambda.Start under .")
    # the linked Maven project builds nothing the scan can see
    java = locate_artifact(ScanRoot.of(root), root, "evil-1.jar", "com.acme.E", "java21", lambda m: None)
    assert (java.in_repo, java.handler_file) == (False, None)


def test_custom_runtime_is_go_only_inside_a_go_module(tmp_path: Path) -> None:
    # go.mod at the repository root, CodeUri the main package's folder: Go
    _write(tmp_path / "mod", {"go.mod": "module m\n", "cmd/hello/main.go": GO_MAIN})
    code = _code(tmp_path / "mod", "cmd/hello", "bootstrap", "provided.al2023")
    assert (code.language, code.handler_file) == ("go", "cmd/hello/main.go")
    # Go-looking files outside any module (a Rust function's folder with a stray example): not Go
    _write(tmp_path / "rust", {"Cargo.toml": "[package]\n", "examples/main.go": GO_MAIN})
    code = _code(tmp_path / "rust", ".", "bootstrap", "provided.al2023")
    assert (code.language, code.handler_file, code.note) == (
        "custom",
        None,
        "handler files are not resolved for custom",
    )


def test_quarkus_request_handler_named_in_application_properties(tmp_path: Path) -> None:
    handler = 'package com.acme;\n\n@Named("NAME")\npublic class CLS implements RequestHandler<Input, Output> {}\n'
    _write(
        tmp_path,
        {
            "pom.xml": POM.format(artifact="q", version="1", build=""),
            "src/main/java/com/acme/Greet.java": handler.replace("NAME", "greet").replace("CLS", "Greet"),
            "src/main/java/com/acme/Stream.java": handler.replace("NAME", "stream").replace("CLS", "Stream"),
            "src/main/resources/application.properties": "quarkus.lambda.handler=stream\n",
        },
    )
    quarkus = "io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest"
    assert _where(_code(tmp_path, ".", quarkus, "java21")) == (
        "java",
        True,
        "",
        "src/main/java/com/acme/Stream.java",
        "Stream::handleRequest",
        "Quarkus Lambda handler Stream",
    )


def test_unterminated_declarations_do_not_stall_the_lookup(tmp_path: Path) -> None:
    # 10 KB of class headers with no body took a declaration-spanning regex over 30 s to reject
    _write(
        tmp_path,
        {
            "pom.xml": POM.format(artifact="fn", version="1", build=""),
            "src/main/java/com/acme/A.java": "class A implements X " * 500,
            "src/main/java/com/acme/B.java": "@Bean Function<Function<" * 500,
        },
    )
    started = time.monotonic()
    code = _code(tmp_path, ".", SPRING, "java21")
    assert time.monotonic() - started < 2
    assert code.note == "Spring Cloud Function: no Function/Consumer/Supplier bean in the project's sources"


def test_spring_definition_from_the_function_environment_in_serverless_and_sam(tmp_path: Path) -> None:
    project = {
        "pom.xml": POM.format(artifact="fn", version="1", build=""),
        "src/main/java/com/acme/Config.java": _CONFIG,
        "src/main/kotlin/com/acme/KConfig.kt": (
            "package com.acme\n\nclass KConfig {\n  @Bean\n  fun shout(): (String) -> String = { it.uppercase() }\n}\n"
        ),
    }
    _write(tmp_path / "sls", project)
    _write(
        tmp_path / "sls",
        {
            "serverless.yml": f"""\
                service: s
                provider:
                  name: aws
                  runtime: java21
                  environment: {{SPRING_CLOUD_FUNCTION_DEFINITION: reverse}}
                functions:
                  a: {{handler: "{SPRING}"}}
                  b:
                    handler: "{SPRING}"
                    environment: {{SPRING_CLOUD_FUNCTION_DEFINITION: shout}}
                """
        },
    )
    _write(tmp_path / "sam", project)
    _write(
        tmp_path / "sam",
        {
            "template.yaml": f"""\
                Transform: AWS::Serverless-2016-10-31
                Globals:
                  Function:
                    Environment: {{Variables: {{SPRING_CLOUD_FUNCTION_DEFINITION: audit}}}}
                Resources:
                  C:
                    Type: AWS::Serverless::Function
                    Properties: {{CodeUri: ., Handler: "{SPRING}", Runtime: java21}}
                """
        },
    )
    result = scan(tmp_path, Config(select=("CODE",), today=SCAN_DATE))
    codes = {f.name: (f.code.handler_file, f.code.handler_symbol, f.code.note) for f in result.functions}
    assert codes == {
        "a": (
            "sls/src/main/java/com/acme/Config.java",
            "Config::reverse",
            "Spring Cloud Function bean reverse (the @Bean method Config.reverse)",
        ),
        "b": (
            "sls/src/main/kotlin/com/acme/KConfig.kt",
            "KConfig::shout",
            "Spring Cloud Function bean shout (the @Bean method KConfig.shout)",
        ),
        "C": (
            "sam/src/main/java/com/acme/Config.java",
            "Config::audit",
            "Spring Cloud Function bean audit (the @Bean method Config.audit)",
        ),
    }
