"""DEP001 / DEP005 fixes: the version bumps the fix cases show, the lockfile cases (manifest changed, lockfile
refreshed by its package manager), and each manifest's edge cases, line by line.

Cases under tests/fix/cases/dependencies/ carry their own OSV records in `advisories/` (beside `app/`, not
scanned); `run_case` uses them as the advisory store. A case whose lockfile only its package manager can refresh
(`package-lock.json`, `poetry.lock`) has `manifest.diff` instead of `expected.diff`: the finding stays until the
printed command runs, so the second scan of `--write` cannot confirm it and the case is checked here, dry.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import shutil
from pathlib import Path

import pytest
from defusedxml import ElementTree as DET
from packaging.requirements import Requirement

from fnaudit.fix.command import run_fix
from fnaudit.fix.context import FixContext
from fnaudit.fix.fixers import dependencies as deps
from fnaudit.fix.model import Edit, Fix, NoFix, Plan
from fnaudit.fix.patch import new_texts
from fnaudit.fix.plan import plan
from fnaudit.fix.sources import Sources
from fnaudit.model.loc import Loc
from fnaudit.model.package import Package
from fnaudit.pipeline import ScanResult, scan
from tests.fix.harness import CASES, _config, run_case

DEPS = CASES / "dependencies"


def _scanned(name: str, tmp: Path) -> tuple[ScanResult, Path]:
    case = DEPS / name
    root = tmp / "app"
    shutil.copytree(case / "app", root)
    config, _functions, _fixed = _config(case)
    config = dataclasses.replace(config, db=str(case / "advisories"))
    return scan(root, config), root


def _plan(name: str, tmp: Path) -> Plan:
    result, root = _scanned(name, tmp)
    return plan(result, root)


# --- the cases: what each fix says besides its diff ------------------------------------------------------


def test_requirements_bumps_stay_in_their_major_unless_none_fixes(tmp_path: Path) -> None:
    fixes = {f.summary: f for f in _plan("requirements-serverless", tmp_path).fixes}
    # urllib3: 1.26.17 and 2.0.6 both fix the advisory; the 1.x one is made
    assert sorted(fixes) == ["Jinja2 2.10 → 2.11.3", "PyJWT 1.7.1 → 2.4.0", "urllib3 1.26.5 → 1.26.17"]
    assert fixes["urllib3 1.26.5 → 1.26.17"].notes == ()
    assert fixes["Jinja2 2.10 → 2.11.3"].notes == ()
    assert fixes["PyJWT 1.7.1 → 2.4.0"].notes == (
        "2.4.0 is a new major version of PyJWT (no 1.x release fixes every advisory): read its changelog for "
        "breaking changes and run the tests",
    )
    assert all(f.commands == () for f in fixes.values())  # requirements.txt is its own lockfile


def test_maven_property_names_the_other_artifacts_it_moves(tmp_path: Path) -> None:
    (fix,) = _plan("maven-property-sam", tmp_path).fixes
    assert fix.summary == "org.apache.logging.log4j:log4j-core 2.14.1 → 2.17.1"
    assert fix.edits == (Edit("orders/pom.xml", 13, 14, ("\t\t<log4j.version>2.17.1</log4j.version>",)),)
    assert fix.notes == ("the property `log4j.version` also sets the version of log4j-api: it moves to 2.17.1 too",)


def test_go_mod_bump_prints_the_go_get_that_refreshes_go_sum(tmp_path: Path) -> None:
    (fix,) = _plan("gomod-terraform", tmp_path).fixes
    assert fix.summary == "golang.org/x/net v0.17.0 → v0.23.0"
    assert fix.commands == ("cd src/ingest && go get golang.org/x/net@v0.23.0 && go mod tidy",)
    assert fix.edits == (Edit("src/ingest/go.mod", 7, 8, ("\tgolang.org/x/net v0.23.0 // HTML parsing",)),)


def test_package_json_range_keeps_its_operator(tmp_path: Path) -> None:
    fixes = {f.rule_id: f for f in _plan("package-json-cfn", tmp_path).fixes}
    assert fixes["DEP005"].summary == "lodash ^4.17.0: at least 4.17.21"
    assert fixes["DEP005"].edits == (Edit("web/package.json", 5, 6, ('\t\t"lodash" : "^4.17.21",',)),)
    assert fixes["DEP001"].edits == (Edit("web/package.json", 6, 7, ('\t\t"minimist": "=1.2.6"',)),)


# --- lockfiles only a package manager can refresh ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "commands"),
    [
        ("npm-lock-sam", ("cd src && npm install 'lodash@^4.17.21'",)),
        ("poetry-lock", ("poetry update pyyaml", "poetry update requests")),
    ],
)
def test_locked_package_changes_the_manifest_and_prints_the_refresh(
    name: str, commands: tuple[str, ...], tmp_path: Path
) -> None:
    result, root = _scanned(name, tmp_path)
    out, err = io.StringIO(), io.StringIO()
    run_fix(result, root, rescan=lambda: result, out=out, err=err)
    expected = DEPS / name / "manifest.diff"
    if os.environ.get("FNAUDIT_UPDATE_FIX_CASES"):
        expected.write_text(out.getvalue(), encoding="utf-8")
    assert out.getvalue() == expected.read_text(encoding="utf-8")
    fixes = plan(result, root).fixes
    assert tuple(c for f in fixes for c in f.commands) == commands
    lock = {"npm-lock-sam": "src/package-lock.json", "poetry-lock": "poetry.lock"}[name]
    for fix in fixes:
        assert len(fix.notes) == 1
        assert fix.notes[0].startswith(f"{lock} still pins ")
        assert fix.notes[0].endswith(f"run `{fix.commands[0]}` to refresh it (fnaudit reports the finding until then)")
        assert not any(e.path == lock for e in fix.edits)  # the lockfile itself is never edited by hand


def test_edited_pom_and_included_requirements_still_parse(tmp_path: Path) -> None:
    """The files the harness's round-trip does not know: the POM as XML, a `-r` include as requirements."""
    maven = run_case(DEPS / "maven-property-sam", tmp_path / "maven")
    pom = DET.fromstring((maven.root / "orders/pom.xml").read_text("utf-8"))
    ns = "{http://maven.apache.org/POM/4.0.0}"
    assert pom.findtext(f"{ns}properties/{ns}log4j.version") == "2.17.1"
    ranged = run_case(DEPS / "requirements-range-cfn", tmp_path / "range")
    lines = (ranged.root / "orders/common.txt").read_text("utf-8").splitlines()
    assert str(Requirement(lines[1].split("#")[0])) == "jinja2<4,>=2.11.3"


def test_every_verified_case_has_its_advisories(tmp_path: Path) -> None:
    """The cases the harness runs find their findings with the case's own store (not a store of the machine)."""
    run = run_case(DEPS / "requirements-serverless", tmp_path)
    assert sorted(f.location.line for f in run.before.active_findings if f.rule_id == "DEP001") == [3, 4, 5]
    assert not [f for f in run.after.active_findings if f.rule_id == "DEP001"]


# --- each manifest, line by line ---------------------------------------------------------------------------


def _ctx(tmp: Path, files: dict[str, str]) -> FixContext:
    for rel, text in files.items():
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp / rel).write_text(text, encoding="utf-8")
    result = ScanResult.__new__(ScanResult)  # the manifest edits read only the files
    return FixContext(result, Sources(tmp), dt.date(2026, 12, 6))


def _pkg(eco: str, name: str, version: str | None, path: str, line: int, requirement: str = "") -> Package:
    return Package("", eco, name, version, Loc(path, line), requirement=requirement)


def _edits(pkg: Package, target: str, ctx: FixContext) -> tuple[tuple[str, ...], ...]:
    return tuple(e.lines for e in deps._change(pkg, target, ctx).edits)


def _refused(pkg: Package, target: str, ctx: FixContext) -> str:
    with pytest.raises(deps._Refused) as why:
        deps._change(pkg, target, ctx)
    return str(why.value)


@pytest.mark.parametrize(
    ("spec", "eco", "target", "expected"),
    [
        ("==2.10", "PyPI", "2.11.3", "==2.11.3"),
        (" == 2.10 ", "PyPI", "2.11.3", " == 2.11.3 "),
        (">=2.10,<3", "PyPI", "2.11.3", ">=2.11.3,<3"),
        (">=2.10, !=2.11.0", "PyPI", "2.11.3", ">=2.11.3, !=2.11.0"),
        ("~=1.4.2", "PyPI", "1.4.5", "~=1.4.5"),
        (">1.0", "PyPI", "1.2.6", ">=1.2.6"),
        ("", "PyPI", "3.1.4", ">=3.1.4"),
        ("^4.17.0", "npm", "4.17.21", "^4.17.21"),
        ("~1.2.0", "npm", "1.2.6", "~1.2.6"),
        ("1.2.0", "npm", "1.2.6", "1.2.6"),
        ("v1.2.0", "npm", "1.2.6", "v1.2.6"),
        (">=1.2.0 <2.0.0", "npm", "1.2.6", ">=1.2.6 <2.0.0"),
    ],
)
def test_raise_keeps_the_operator_and_the_rest(spec: str, eco: str, target: str, expected: str) -> None:
    assert deps._raise(spec, target, eco, "pkg") == expected


@pytest.mark.parametrize(
    ("spec", "eco", "target", "why"),
    [
        (">=2.10,<3", "PyPI", "3.1.4", "`<3` in the range of pkg keeps the fixed version 3.1.4 out: widen it"),
        ("!=1.2.6,>=1", "PyPI", "1.2.6", "`!=1.2.6` in the range of pkg keeps the fixed version 1.2.6 out: widen it"),
        ("~=1.4", "PyPI", "1.5.3", "`~=1.4` of pkg would change its meaning: write `>=1.5.3` with the bound you want"),
        ("==1.*", "PyPI", "1.2.6", "the range `==1.*` of pkg is not a simple one: allow only 1.2.6 or later"),
        ("1.x", "npm", "1.2.6", "the range `1.x` of pkg is not a simple one: allow only 1.2.6 or later"),
        ("^1.0.0 || ^2.0.0", "npm", "2.0.1", "the range `^1.0.0 || ^2.0.0` of pkg is not a simple one: allow only "
         "2.0.1 or later"),
        ("<2", "PyPI", "1.2.6", "`<2` of pkg has no lower bound to raise: add `>=1.2.6`"),
        (">=1,>=1.1", "PyPI", "1.2.6", "`>=1,>=1.1` of pkg has two lower bounds: allow only 1.2.6 or later"),
    ],
)  # fmt: skip
def test_raise_refuses_what_it_cannot_raise_safely(spec: str, eco: str, target: str, why: str) -> None:
    with pytest.raises(deps._Refused) as refused:
        deps._raise(spec, target, eco, "pkg")
    assert str(refused.value) == why


def test_requirements_keeps_extras_markers_comments_and_continuations(tmp_path: Path) -> None:
    text = 'Flask[async] >= 2.0 ; python_version >= "3.8"  # web\nJinja2==2.10 \\\n    # templates\n'
    ctx = _ctx(tmp_path, {"requirements.txt": text})
    flask = _pkg("PyPI", "flask", None, "requirements.txt", 1, 'Flask[async] >= 2.0 ; python_version >= "3.8"')
    assert _edits(flask, "2.2.5", ctx) == (('Flask[async] >= 2.2.5 ; python_version >= "3.8"  # web',),)
    jinja = _pkg("PyPI", "Jinja2", "2.10", "requirements.txt", 2)
    assert _edits(jinja, "2.11.3", ctx) == (("Jinja2==2.11.3 \\",),)


def test_requirements_refuses_hashes_generated_files_and_constraints(tmp_path: Path) -> None:
    ctx = _ctx(
        tmp_path,
        {
            "a/requirements.txt": "jinja2==2.10 \\\n    --hash=sha256:abc\n",
            "b/requirements.txt": "#\n# This file is autogenerated by pip-compile with Python 3.12\n#\njinja2==2.10\n",
            "c/requirements.txt": "-c constraints.txt\njinja2\n",
        },
    )
    for folder, line in (("a", 1), ("b", 4)):
        why = _refused(_pkg("PyPI", "jinja2", "2.10", f"{folder}/requirements.txt", line), "2.11.3", ctx)
        assert why == (
            f"{folder}/requirements.txt is generated (or pins hashes): raise jinja2 to 2.11.3 in its source and "
            "regenerate it (`pip-compile --upgrade-package jinja2==2.11.3`, `uv pip compile --upgrade-package "
            "jinja2==2.11.3`)"
        )
    assert _refused(_pkg("PyPI", "jinja2", "2.10", "c/requirements.txt", 2), "2.11.3", ctx) == (
        "jinja2 2.10 is pinned by a constraints file (`-c`), not on c/requirements.txt:2: "
        "change the pin there to 2.11.3"
    )


def test_pyproject_pep621_string_and_poetry_inline_table(tmp_path: Path) -> None:
    text = (
        '[project]\nname = "svc"\ndescription = "requests made easy"\n'
        'dependencies = [\n    "requests[socks]>=2.25,<3; python_version >= \'3.8\'",\n    "boto3",\n]\n'
        '[project.optional-dependencies]\nyaml = ["PyYAML==5.3.1"]\n'
    )
    ctx = _ctx(tmp_path, {"pyproject.toml": text, "poetry.lock": ""})
    requests = _pkg("PyPI", "requests", "2.25.0", "poetry.lock", 1)
    assert _edits(requests, "2.31.0", ctx) == (("    \"requests[socks]>=2.31.0,<3; python_version >= '3.8'\",",),)
    pyyaml = _pkg("PyPI", "pyyaml", "5.3.1", "poetry.lock", 10)
    assert _edits(pyyaml, "5.4", ctx) == (('yaml = ["PyYAML==5.4"]',),)
    assert _refused(_pkg("PyPI", "idna", "2.0", "poetry.lock", 1), "3.7", ctx) == (
        "idna is not declared in pyproject.toml: raise it to 3.7 by hand where it is wanted"
    )


def test_npm_lock_transitive_package_is_refused_with_overrides(tmp_path: Path) -> None:
    ctx = _ctx(
        tmp_path,
        {"package.json": '{\n  "dependencies": {\n    "express": "^4.18.0"\n  }\n}\n', "package-lock.json": "{}\n"},
    )
    why = _refused(_pkg("npm", "qs", "6.5.2", "package-lock.json", 40), "6.5.3", ctx)
    assert why == (
        "qs is not declared in package.json (another package pulls it in): upgrade that package, or pin it with "
        '`"overrides": {"qs": "6.5.3"}` and refresh package-lock.json'
    )


def test_yarn_classic_and_berry_commands(tmp_path: Path) -> None:
    manifest = '{\n  "dependencies": {\n    "lodash": "^4.17.15"\n  }\n}\n'
    ctx = _ctx(
        tmp_path,
        {
            "v1/package.json": manifest,
            "v1/yarn.lock": "# THIS IS AN AUTOGENERATED FILE.\n# yarn lockfile v1\n",
            "berry/package.json": manifest,
            "berry/yarn.lock": "__metadata:\n  version: 8\n",
        },
    )
    v1 = deps._change(_pkg("npm", "lodash", "4.17.15", "v1/yarn.lock", 5), "4.17.21", ctx)
    berry = deps._change(_pkg("npm", "lodash", "4.17.15", "berry/yarn.lock", 5), "4.17.21", ctx)
    assert v1.commands == ("cd v1 && yarn upgrade 'lodash@^4.17.21'",)
    assert berry.commands == ("cd berry && yarn up 'lodash@^4.17.21'",)
    assert v1.edits == (Edit("v1/package.json", 3, 4, ('    "lodash": "^4.17.21"',)),)


def test_pom_literal_managed_and_foreign_property(tmp_path: Path) -> None:
    pom = (
        "<project>\n"
        "  <properties><other.version>1.0</other.version></properties>\n"
        "  <dependencies>\n"
        "    <dependency>\n"
        "      <groupId>org.yaml</groupId>\n"
        "      <artifactId>snakeyaml</artifactId>\n"
        "      <version>1.33</version>\n"
        "    </dependency>\n"
        "    <dependency>\n"
        "      <groupId>com.fasterxml.jackson.core</groupId>\n"
        "      <artifactId>jackson-databind</artifactId>\n"
        "    </dependency>\n"
        "    <dependency>\n"
        "      <groupId>io.netty</groupId>\n"
        "      <artifactId>netty-codec</artifactId>\n"
        "      <version>${netty.version}</version>\n"
        "    </dependency>\n"
        "  </dependencies>\n"
        "</project>\n"
    )
    ctx = _ctx(tmp_path, {"pom.xml": pom})
    assert _edits(_pkg("Maven", "org.yaml:snakeyaml", "1.33", "pom.xml", 6), "2.0", ctx) == (
        ("      <version>2.0</version>",),
    )
    assert _refused(
        _pkg("Maven", "com.fasterxml.jackson.core:jackson-databind", "2.9.8", "pom.xml", 11), "2.9.9", ctx
    ) == (
        "the version of com.fasterxml.jackson.core:jackson-databind is not written in its <dependency> (pom.xml:11): "
        "it comes from a <dependencyManagement>, a parent POM or a BOM; set it to 2.9.9 there"
    )
    assert _refused(_pkg("Maven", "io.netty:netty-codec", "4.1.60.Final", "pom.xml", 15), "4.1.68.Final", ctx) == (
        "the property `netty.version` that sets the version of io.netty:netty-codec is not defined once, as "
        "4.1.60.Final, in pom.xml or a parent POM of the project (a profile, the command line or a POM outside the "
        "scanned folder sets it): set it to 4.1.68.Final there"
    )


def test_gradle_literal_and_variable(tmp_path: Path) -> None:
    build = (
        "dependencies {\n"
        "    implementation 'org.yaml:snakeyaml:1.33'\n"
        '    implementation("com.google.guava:guava:$guavaVersion")\n'
        "}\n"
    )
    ctx = _ctx(tmp_path, {"build.gradle.kts": build})
    assert _edits(_pkg("Maven", "org.yaml:snakeyaml", "1.33", "build.gradle.kts", 2), "2.0", ctx) == (
        ("    implementation 'org.yaml:snakeyaml:2.0'",),
    )
    assert _refused(_pkg("Maven", "com.google.guava:guava", "31.0-jre", "build.gradle.kts", 3), "32.0.0-jre", ctx) == (
        "the version of com.google.guava:guava is not written on build.gradle.kts:3 (a variable, a version catalog or "
        "a platform sets it): set it to 32.0.0-jre there"
    )


def test_go_toolchain_line_moves_the_standard_library(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {"go.mod": "module example.com/x\n\ngo 1.22\n\ntoolchain go1.22.1\n"})
    change = deps._change(_pkg("Go", "stdlib", "v1.22.1", "go.mod", 5), "v1.22.5", ctx)
    assert change.edits == (Edit("go.mod", 5, 6, ("toolchain go1.22.5",)),)
    assert change.notes == ("rebuild with Go 1.22.5: the standard library is built in",)


def test_current_version_of_a_range_is_its_lower_bound_not_the_name() -> None:
    assert deps._current(_pkg("PyPI", "boto3", None, "requirements.txt", 1, "boto3>=1.28,<2")) == "1.28"
    assert deps._current(_pkg("PyPI", "Flask", None, "requirements.txt", 1, "flask[async]~=2.0")) == "2.0"
    assert deps._current(_pkg("npm", "lodash", None, "package.json", 1, "^4.17.0")) == "4.17.0"


def test_major_of_versions() -> None:
    assert [deps.major(v) for v in ("v1.2.3", "2.10", "4.1.68.Final", "0.23.0", "latest")] == [
        "1",
        "2",
        "4",
        "0",
        "latest",
    ]


def test_crlf_manifest_keeps_its_line_endings(tmp_path: Path) -> None:
    text = '{\r\n  "dependencies": {\r\n    "minimist": "1.2.0"\r\n  }\r\n}\r\n'
    ctx = _ctx(tmp_path, {"package.json": text})
    change = deps._change(_pkg("npm", "minimist", "1.2.0", "package.json", 3), "1.2.6", ctx)
    fix = Fix("DEP001", "fp", None, "minimist 1.2.0 → 1.2.6", change.edits)
    assert new_texts((fix,), ctx.sources) == {"package.json": text.replace("1.2.0", "1.2.6")}


def test_vendored_copies_and_other_lockfiles_are_refused(tmp_path: Path) -> None:
    ctx = _ctx(tmp_path, {"node_modules/lodash/package.json": '{"version": "4.17.15"}\n', "Gemfile.lock": ""})
    assert _refused(_pkg("npm", "lodash", "4.17.15", "node_modules/lodash/package.json", 1), "4.17.21", ctx) == (
        "lodash 4.17.15 is a copy installed into the code folder (node_modules/lodash/package.json): upgrade it to "
        "4.17.21 where it is declared and reinstall it, or stop shipping the installed folder"
    )
    assert _refused(_pkg("RubyGems", "rack", "2.2.3", "Gemfile.lock", 4), "2.2.8", ctx) == (
        "fnaudit does not edit Gemfile.lock: upgrade rack to 2.2.8 with the tool that wrote it"
    )


def test_pipfile_and_gradle_lockfiles_change_their_manifest(tmp_path: Path) -> None:
    ctx = _ctx(
        tmp_path,
        {
            "py/Pipfile": '[packages]\nrequests = "*"\npyyaml = {version = "==5.3.1", extras = []}\n',
            "py/Pipfile.lock": "{}\n",
            "jvm/build.gradle": "dependencies {\n    implementation 'org.yaml:snakeyaml:1.33'\n}\n",
            "jvm/gradle.lockfile": "org.yaml:snakeyaml:1.33=runtimeClasspath\n",
        },
    )
    requests = deps._change(_pkg("PyPI", "requests", "2.25.0", "py/Pipfile.lock", 3), "2.31.0", ctx)
    assert requests.edits == (Edit("py/Pipfile", 2, 3, ('requests = ">=2.31.0"',)),)
    assert requests.commands == ("cd py && pipenv update requests",)
    pyyaml = deps._change(_pkg("PyPI", "pyyaml", "5.3.1", "py/Pipfile.lock", 9), "5.4", ctx)
    assert pyyaml.edits == (Edit("py/Pipfile", 3, 4, ('pyyaml = {version = "==5.4", extras = []}',)),)
    yaml = deps._change(_pkg("Maven", "org.yaml:snakeyaml", "1.33", "jvm/gradle.lockfile", 1), "2.0", ctx)
    assert yaml.edits == (Edit("jvm/build.gradle", 2, 3, ("    implementation 'org.yaml:snakeyaml:2.0'",)),)
    assert yaml.commands == ("cd jvm && ./gradlew dependencies --write-locks",)


def test_terminal_view_shows_the_refresh_command_under_the_hunk(tmp_path: Path) -> None:
    result, root = _scanned("npm-lock-sam", tmp_path)
    out = io.StringIO()
    run_fix(result, root, interactive=True, rescan=lambda: result, out=out, err=io.StringIO(), ask=lambda _q: "n")
    shown = out.getvalue().splitlines()
    assert shown[0] == "# DEP001 ReceiptsFunction: lodash 4.17.15 → 4.17.21"
    assert shown[-2:] == ["#   run: cd src && npm install 'lodash@^4.17.21'", ""]
    assert '+        "lodash": "^4.17.21"' in shown


def test_go_replace_and_npm_double_declaration_are_refused(tmp_path: Path) -> None:
    ctx = _ctx(
        tmp_path,
        {
            "go.mod": "module example.com/x\n\nrequire example.com/old v1.0.0\n\n"
            "replace example.com/old => example.com/fork v1.0.3\n",
            "package.json": '{\n  "dependencies": {\n    "qs": "^6.5.2"\n  },\n'
            '  "devDependencies": {\n    "qs": "^6.5.2"\n  }\n}\n',
            "package-lock.json": "{}\n",
        },
    )
    assert _refused(_pkg("Go", "example.com/fork", "v1.0.3", "go.mod", 3), "v1.0.4", ctx) == (
        "example.com/fork v1.0.3 comes from a `replace` directive of go.mod: set its version to v1.0.4 there and "
        "run `go mod tidy`"
    )
    assert _refused(_pkg("npm", "qs", "6.5.2", "package-lock.json", 9), "6.5.3", ctx) == (
        "qs is declared 2 times in package.json: raise it by hand where it is wanted"
    )


def test_pom_property_of_a_parent_pom_is_changed_there(tmp_path: Path) -> None:
    parent = (
        "<project>\n  <artifactId>shop</artifactId>\n  <properties>\n"
        "    <snakeyaml.version>1.33</snakeyaml.version>\n  </properties>\n</project>\n"
    )
    module = (
        "<project>\n  <parent>\n    <artifactId>shop</artifactId>\n  </parent>\n  <dependencies>\n"
        "    <dependency>\n      <groupId>org.yaml</groupId>\n      <artifactId>snakeyaml</artifactId>\n"
        "      <version>${snakeyaml.version}</version>\n    </dependency>\n  </dependencies>\n</project>\n"
    )
    ctx = _ctx(tmp_path, {"pom.xml": parent, "orders/pom.xml": module, "lone/pom.xml": module.replace(
        "<artifactId>shop</artifactId>\n  </parent>", "<artifactId>shop</artifactId>\n    <relativePath/>\n  </parent>"
    )})  # fmt: skip
    change = deps._change(_pkg("Maven", "org.yaml:snakeyaml", "1.33", "orders/pom.xml", 8), "2.0", ctx)
    assert change.edits == (Edit("pom.xml", 4, 5, ("    <snakeyaml.version>2.0</snakeyaml.version>",)),)
    assert change.notes == (
        "`snakeyaml.version` is defined in the parent POM pom.xml: every module that inherits it moves to 2.0",
    )
    assert _refused(_pkg("Maven", "org.yaml:snakeyaml", "1.33", "lone/pom.xml", 9), "2.0", ctx).startswith(
        "the property `snakeyaml.version` that sets the version of org.yaml:snakeyaml is not defined once"
    )


def test_no_known_fix_is_a_nofix_naming_the_advisory(tmp_path: Path) -> None:
    result, root = _scanned("requirements-serverless", tmp_path)
    (finding,) = [f for f in result.active_findings if f.location.line == 5]  # PyJWT
    pkg = deps._package(finding, FixContext(result, Sources(root), dt.date(2026, 12, 6)))
    assert pkg is not None and pkg.name == "PyJWT"
    unfixed = dataclasses.replace(
        finding, advisories=tuple(dataclasses.replace(a, fixed=None) for a in finding.advisories)
    )
    gone = dataclasses.replace(result, apps=tuple(
        dataclasses.replace(app, functions=tuple(
            dataclasses.replace(fn, packages=tuple(dataclasses.replace(p, fix=None) for p in fn.packages))
            for fn in app.functions
        ))
        for app in result.apps
    ))  # fmt: skip
    nofix = deps.bump_dependency(unfixed, FixContext(gone, Sources(root), dt.date(2026, 12, 6)))
    assert isinstance(nofix, NoFix)
    assert nofix.reason == "no fixed version of PyJWT is known for GHSA-ffqj-6fqr-9h24: replace or remove it"


@pytest.mark.parametrize("name", ["npm-lock-sam", "poetry-lock"])
def test_a_locked_bump_is_written_and_kept_until_its_command_runs(name: str, tmp_path: Path) -> None:
    """The manifest edit is written and kept: the second scan still reports the package (the lockfile pins it until
    the package manager runs), which is expected of a pending fix, not a reason to roll it back; stderr says what to
    run (a piped patch would otherwise lose it), and the exit code still counts the finding."""
    result, root = _scanned(name, tmp_path)
    config = dataclasses.replace(_config(DEPS / name)[0], db=str(DEPS / name / "advisories"))
    out, err = io.StringIO(), io.StringIO()
    remaining = run_fix(result, root, rescan=lambda: result, out=out, err=err)
    assert "then run, for DEP001" in err.getvalue() and "(the finding goes once it has run)" in err.getvalue()
    assert {f.rule_id for f in remaining.active_findings} >= {"DEP001"}  # not counted as fixed
    write_err = io.StringIO()
    after = run_fix(result, root, write=True, rescan=lambda: scan(root, config), out=io.StringIO(), err=write_err)
    assert "rolled back" not in write_err.getvalue()
    assert "the second scan confirmed them" in write_err.getvalue()
    assert {f.rule_id for f in after.active_findings} >= {"DEP001"}
