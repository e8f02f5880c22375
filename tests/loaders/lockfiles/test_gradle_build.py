"""Gradle build files (`build.gradle`, `build.gradle.kts`) read when no gradle.lockfile pins them."""

from __future__ import annotations

from pathlib import Path

from fnaudit.loaders.lockfiles import FolderDeps, parse_folder

Row = tuple[str, str | None, str, int, str, str]


def _write(base: Path, files: dict[str, str | bytes]) -> Path:
    for rel, text in files.items():
        (base / rel).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            (base / rel).write_bytes(text)
        else:
            (base / rel).write_text(text, encoding="utf-8")
    return base


def _folder(root: Path, sub: str = ".") -> FolderDeps:
    return parse_folder(root.resolve(), (root / sub).resolve())


def _rows(fd: FolderDeps) -> set[Row]:
    """(name, version, file, line, scope, requirement) of every package."""
    return {(p.name, p.version, p.loc.path, p.loc.line, p.scope, p.requirement) for p in fd.packages}


GROOVY = """\
plugins {
    id 'java'
    id 'org.springframework.boot' version '3.1.0'
}
buildscript {
    dependencies {
        classpath 'com.github.johnrengelman:shadow:8.1.1'
    }
}
ext {
    jacksonVersion = '2.9.8'
}
def xstreamVersion = "1.4.17"
dependencies {
    implementation "com.fasterxml.jackson.core:jackson-databind:${jacksonVersion}"
    implementation group: 'org.apache.logging.log4j', name: 'log4j-core', version: log4jVersion
    api("com.thoughtworks.xstream:xstream:$xstreamVersion")
    implementation('com.squareup.okhttp3:okhttp:4.9.0') {
        exclude group: 'org.jetbrains.kotlin'  // not a dependency: a closure
    }
    runtimeOnly 'org.postgresql:postgresql:42.2.5@jar'
    compileOnly 'org.projectlombok:lombok:1.18.30'
    testImplementation 'junit:junit:4.13.2'
    implementation project(':common')
    // implementation 'commented:out:1.0'
    /* implementation 'block:comment:1.0' */
    implementation 'org.jsoup:jsoup:1.11.3' // https://jsoup.org/
}
"""


def test_groovy_declarations_with_variables_and_configurations(tmp_path: Path) -> None:
    root = _write(tmp_path, {"build.gradle": GROOVY, "gradle.properties": "# versions\nlog4jVersion=2.14.1\n"})
    fd = _folder(root)
    assert fd.errors == []
    assert _rows(fd) == {
        ("com.fasterxml.jackson.core:jackson-databind", "2.9.8", "build.gradle", 15, "runtime", ""),
        ("org.apache.logging.log4j:log4j-core", "2.14.1", "build.gradle", 16, "runtime", ""),
        ("com.thoughtworks.xstream:xstream", "1.4.17", "build.gradle", 17, "runtime", ""),
        ("com.squareup.okhttp3:okhttp", "4.9.0", "build.gradle", 18, "runtime", ""),
        ("org.postgresql:postgresql", "42.2.5", "build.gradle", 21, "runtime", ""),
        ("org.projectlombok:lombok", "1.18.30", "build.gradle", 22, "dev", ""),
        ("junit:junit", "4.13.2", "build.gradle", 23, "dev", ""),
        ("org.jsoup:jsoup", "1.11.3", "build.gradle", 27, "runtime", ""),
    }
    assert fd.unlocked == [("build.gradle", "Maven")]  # DEP003 still says no lockfile pins them
    assert all(p.manifest_only and p.direct for p in fd.packages)
    jackson = next(p for p in fd.packages if p.name.endswith("jackson-databind"))
    assert jackson.purl == "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.8"


KOTLIN = """\
val jacksonVersion = "2.13.0"
val log4j: String = "2.17.0"
extra["yamlVersion"] = "1.30"
plugins { java }
dependencies {
    implementation("com.fasterxml.jackson.core:jackson-databind:$jacksonVersion")
    implementation(group = "org.apache.logging.log4j", name = "log4j-core", version = log4j)
    implementation("org.yaml:snakeyaml:${extra["yamlVersion"]}")
    testImplementation(kotlin("test"))
    annotationProcessor("org.projectlombok:lombok:1.18.30")
}
"""


def test_kotlin_dsl_declarations(tmp_path: Path) -> None:
    fd = _folder(_write(tmp_path, {"build.gradle.kts": KOTLIN}))
    assert fd.errors == []
    assert _rows(fd) == {
        ("com.fasterxml.jackson.core:jackson-databind", "2.13.0", "build.gradle.kts", 6, "runtime", ""),
        ("org.apache.logging.log4j:log4j-core", "2.17.0", "build.gradle.kts", 7, "runtime", ""),
        ("org.yaml:snakeyaml", "1.30", "build.gradle.kts", 8, "runtime", ""),
        ("org.projectlombok:lombok", "1.18.30", "build.gradle.kts", 10, "dev", ""),
    }


def test_ranges_are_requirements_not_versions(tmp_path: Path) -> None:
    text = """\
dependencies {
    implementation 'com.google.code.gson:gson:2.+'
    implementation 'commons-io:commons-io:[2.0,2.7)'
    implementation 'org.json:json:latest.release'
    implementation 'org.slf4j:slf4j-api:1.7.25!!'
}
"""
    fd = _folder(_write(tmp_path, {"build.gradle": text}))
    assert fd.errors == []
    assert _rows(fd) == {
        ("com.google.code.gson:gson", None, "build.gradle", 2, "runtime", "2.+"),
        ("commons-io:commons-io", None, "build.gradle", 3, "runtime", "[2.0,2.7)"),
        ("org.json:json", None, "build.gradle", 4, "runtime", "latest.release"),
        ("org.slf4j:slf4j-api", "1.7.25", "build.gradle", 5, "runtime", ""),  # `!!`: strictly that version
    }


CATALOG = """\
[versions]
snake = "1.33"
aws = { strictly = "2.20.0" }

[libraries]
snakeyaml = { module = "org.yaml:snakeyaml", version.ref = "snake" }
aws-s3 = { group = "software.amazon.awssdk", name = "s3", version.ref = "aws" }
commons-text = "org.apache.commons:commons-text:1.9"
guava = { module = "com.google.guava:guava", version = "31.+" }

[bundles]
aws = ["aws-s3"]
"""


def test_version_catalog_libraries_bundles_and_refs(tmp_path: Path) -> None:
    build = """\
dependencies {
    implementation libs.snakeyaml
    implementation(libs.bundles.aws)
    runtimeOnly libs.commons.text
    implementation libs.guava
    implementation libs.not.in.catalog
}
"""
    fd = _folder(_write(tmp_path, {"build.gradle": build, "gradle/libs.versions.toml": CATALOG}))
    assert fd.errors == []
    assert _rows(fd) == {
        ("org.yaml:snakeyaml", "1.33", "build.gradle", 2, "runtime", ""),
        ("software.amazon.awssdk:s3", "2.20.0", "build.gradle", 3, "runtime", ""),
        ("org.apache.commons:commons-text", "1.9", "build.gradle", 4, "runtime", ""),
        ("com.google.guava:guava", None, "build.gradle", 5, "runtime", "31.+"),
    }


def test_an_undefined_variable_is_unpinned_and_said(tmp_path: Path) -> None:
    build = 'dependencies {\n    implementation "org.postgresql:postgresql:${pgVersion}"\n}\n'
    fd = _folder(_write(tmp_path, {"build.gradle": build}))
    assert _rows(fd) == {("org.postgresql:postgresql", None, "build.gradle", 2, "runtime", "${pgVersion}")}
    assert [(e.path, e.message, e.stage) for e in fd.errors] == [
        (
            "build.gradle",
            "build.gradle: org.postgresql:postgresql version ${pgVersion} is not defined in the build, "
            "gradle.properties or the version catalog",
            "deps",
        )
    ]


def test_platform_versions_are_noted_not_guessed_and_constraints_pin(tmp_path: Path) -> None:
    build = """\
dependencies {
    implementation platform('software.amazon.awssdk:bom:2.20.0')
    implementation 'software.amazon.awssdk:dynamodb'
    constraints {
        implementation 'com.google.guava:guava:32.0.0-jre'
    }
    implementation 'com.google.guava:guava'
}
"""
    fd = _folder(_write(tmp_path, {"build.gradle": build}))
    assert _rows(fd) == {
        (
            "software.amazon.awssdk:dynamodb",
            None,
            "build.gradle",
            3,
            "runtime",
            "(version from platform software.amazon.awssdk:bom:2.20.0)",
        ),
        ("com.google.guava:guava", "32.0.0-jre", "build.gradle", 7, "runtime", ""),
    }
    assert [e.message for e in fd.errors] == [
        "build.gradle: the versions platform software.amazon.awssdk:bom:2.20.0 manages are not resolved without a "
        "gradle.lockfile (`gradle dependencies --write-locks` writes one)"
    ]


def test_a_gradle_lockfile_beats_the_declared_versions(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "build.gradle": "dependencies {\n    implementation 'org.yaml:snakeyaml:1.+'\n}\n",
            "gradle.lockfile": "org.yaml:snakeyaml:1.33=compileClasspath,runtimeClasspath\nempty=\n",
        },
    )
    fd = _folder(root)
    assert _rows(fd) == {("org.yaml:snakeyaml", "1.33", "gradle.lockfile", 1, "runtime", "")}
    assert fd.unlocked == [] and fd.errors == []
    assert not any(p.manifest_only for p in fd.packages)


def test_a_module_gets_the_root_projects_properties_variables_catalog_and_shared_dependencies(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "settings.gradle": "rootProject.name = 'shop'\ninclude 'fn'\n",
            "gradle.properties": "log4jVersion=2.14.1\n",
            "gradle/libs.versions.toml": CATALOG,
            "build.gradle": """\
ext {
    jacksonVersion = '2.9.8'
}
subprojects {
    dependencies {
        implementation 'org.slf4j:slf4j-api:1.7.25'
    }
}
""",
            "fn/build.gradle": """\
dependencies {
    implementation "com.fasterxml.jackson.core:jackson-databind:$jacksonVersion"
    implementation "org.apache.logging.log4j:log4j-core:${log4jVersion}"
    implementation libs.snakeyaml
}
""",
        },
    )
    fd = _folder(root, "fn")
    assert fd.errors == []
    assert _rows(fd) == {
        ("com.fasterxml.jackson.core:jackson-databind", "2.9.8", "fn/build.gradle", 2, "runtime", ""),
        ("org.apache.logging.log4j:log4j-core", "2.14.1", "fn/build.gradle", 3, "runtime", ""),
        ("org.yaml:snakeyaml", "1.33", "fn/build.gradle", 4, "runtime", ""),
        ("org.slf4j:slf4j-api", "1.7.25", "build.gradle", 6, "runtime", ""),  # the root's `subprojects { }`
    }
    top = _folder(root)  # the root itself declares nothing of its own: no packages, no "no lockfile"
    assert top.packages == [] and top.unlocked == [] and top.errors == []


def test_an_unreadable_build_file_is_an_error_and_the_rest_is_read(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        {
            "a/build.gradle": b"dependencies {\n    implementation 'x:y:1.0' // \xff\xfe\n}\n",
            "b/build.gradle": "dependencies {\n    implementation 'org.jsoup:jsoup:1.11.3'\n}\n",
        },
    )
    bad = _folder(root, "a")
    assert bad.packages == [] and bad.unlocked == []
    assert [(e.path, e.message, e.stage) for e in bad.errors] == [
        ("a/build.gradle", "build file not read: not UTF-8 text", "deps")
    ]
    assert _rows(_folder(root, "b")) == {("org.jsoup:jsoup", "1.11.3", "b/build.gradle", 2, "runtime", "")}


def test_a_malformed_catalog_is_said_and_literal_versions_still_read(tmp_path: Path) -> None:
    build = "dependencies {\n    implementation libs.snakeyaml\n    implementation 'org.jsoup:jsoup:1.11.3'\n}\n"
    fd = _folder(_write(tmp_path, {"build.gradle": build, "gradle/libs.versions.toml": "[versions\n"}))
    assert _rows(fd) == {("org.jsoup:jsoup", "1.11.3", "build.gradle", 3, "runtime", "")}
    (err,) = fd.errors
    assert err.path == "build.gradle" and err.message.startswith("gradle/libs.versions.toml: not valid TOML (")


def test_a_spring_dependency_management_bom_is_a_platform(tmp_path: Path) -> None:
    build = """\
dependencyManagement {
    imports {
        mavenBom "org.springframework.cloud:spring-cloud-dependencies:2022.0.4"
    }
}
dependencies {
    implementation 'org.springframework.cloud:spring-cloud-function-adapter-aws'
}
"""
    fd = _folder(_write(tmp_path, {"build.gradle": build}))
    assert _rows(fd) == {
        (
            "org.springframework.cloud:spring-cloud-function-adapter-aws",
            None,
            "build.gradle",
            7,
            "runtime",
            "(version from platform org.springframework.cloud:spring-cloud-dependencies:2022.0.4)",
        )
    }
    assert [e.message for e in fd.errors] == [
        "build.gradle: the versions platform org.springframework.cloud:spring-cloud-dependencies:2022.0.4 manages are "
        "not resolved without a gradle.lockfile (`gradle dependencies --write-locks` writes one)"
    ]
