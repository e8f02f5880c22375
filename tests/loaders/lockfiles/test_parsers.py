"""Lockfile parsers: each format's named edge cases (fixtures/<format>/<case>/)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.loaders.lockfiles import parse_folder

FIXTURES = Path(__file__).parent / "fixtures"


def parsed(case: str):
    return parse_folder(FIXTURES.resolve(), (FIXTURES / case).resolve())


def rows(case: str) -> set[tuple[str, str | None, int, str, str]]:
    """(name, version, line, scope, source) of every package of one fixture folder."""
    fd = parsed(case)
    assert fd.errors == [], fd.errors
    return {(p.name, p.version, p.loc.line, p.scope, p.source) for p in fd.packages}


@pytest.mark.parametrize(
    "case",
    [
        "npm/empty",
        "yarn/empty",
        "pnpm/empty",
        "requirements/empty",
        "pipfile/empty",
        "poetry/empty",
        "uv/empty",
        "gradle/empty",
        "cargo/empty",
        "gemfile/empty",
        "composer/empty",
    ],
)
def test_an_empty_lockfile_has_no_packages_and_is_no_error(case: str) -> None:
    fd = parsed(case)
    assert fd.packages == [] and fd.errors == [] and len(fd.lockfiles) == 1


@pytest.mark.parametrize(
    "case",
    [
        "npm/not-the-format",
        "yarn/not-the-format",
        "pnpm/not-the-format",
        "requirements/not-the-format",
        "pipfile/not-the-format",
        "poetry/not-the-format",
        "uv/not-the-format",
        "maven/not-the-format",
        "gradle/not-the-format",
        "go/not-the-format",
        "cargo/not-the-format",
        "gemfile/not-the-format",
        "composer/not-the-format",
        "maven/entities",
    ],
)
def test_a_file_not_in_the_format_is_an_error_entry_not_a_crash(case: str) -> None:
    fd = parsed(case)
    assert fd.packages == [] and fd.lockfiles == []
    assert len(fd.errors) == 1 and fd.errors[0].message.startswith("lockfile not read: ")
    assert fd.errors[0].stage == "deps" and fd.errors[0].path.startswith(case)


def test_npm_one_package_with_purl_line_and_direct_flag() -> None:
    (p,) = parsed("npm/one-package").packages
    assert (p.purl, p.loc.line, p.direct, p.scope) == ("pkg:npm/ms@2.1.3", 6, True, "runtime")


def test_npm_v1_scoped_aliased_nested_duplicates_and_git() -> None:
    assert rows("npm/v1-scoped-aliased") == {
        ("@babel/code-frame", "7.0.0", 6, "dev", "registry"),
        ("lodash", "4.17.21", 10, "runtime", "registry"),  # "my-lodash": "npm:lodash@4.17.21"
        ("debug", "2.6.9", 13, "runtime", "registry"),
        ("ms", "2.0.0", 16, "runtime", "registry"),  # nested under debug
        ("ms", "2.1.3", 21, "runtime", "registry"),  # the same name at another version
        ("fromgit", "git+https://github.com/a/fromgit.git#abc123", 24, "runtime", "git"),
    }
    scoped = next(p for p in parsed("npm/v1-scoped-aliased").packages if p.name == "@babel/code-frame")
    assert scoped.purl == "pkg:npm/%40babel/code-frame@7.0.0"


def test_npm_v2_workspaces_links_sources_dev_and_aliases() -> None:
    assert rows("npm/v2-workspaces-sources") == {
        ("left-pad", "1.3.0", 15, "runtime", "git"),
        ("local-thing", "1.0.0", 19, "runtime", "path"),
        ("tarball", "2.0.0", 23, "runtime", "url"),
        ("jest", "29.0.0", 27, "dev", "registry"),
        ("semver", "7.5.4", 31, "runtime", "registry"),
        ("semver", "6.3.0", 34, "dev", "registry"),
        ("fsevents", "2.3.2", 38, "runtime", "registry"),  # devOptional may ship: kept
        ("string-width", "4.2.3", 42, "runtime", "registry"),  # "node_modules/str" aliases string-width
    }  # the workspace `packages/api` and its link are the project's own code, not packages


def test_npm_shrinkwrap_wins_over_package_lock() -> None:
    fd = parsed("npm/shrinkwrap")
    assert fd.lockfiles == ["npm/shrinkwrap/npm-shrinkwrap.json"]
    assert [p.version for p in fd.packages] == ["6.5.2"]


def test_yarn_v1_scoped_alias_git_dev_and_duplicates() -> None:
    assert rows("yarn/v1") == {
        ("@scope/pkg", "1.2.0", 5, "runtime", "registry"),
        ("ms", "2.1.3", 11, "runtime", "registry"),  # alias@npm:ms@^2.1.0
        ("gitdep", "0.1.0", 15, "runtime", "url"),
        ("mocha", "10.2.0", 19, "dev", "registry"),
        ("ms", "2.0.0", 25, "runtime", "registry"),  # reached from @scope/pkg (prod) and mocha (dev)
    }


def test_yarn_berry_workspaces_patches_and_dev() -> None:
    assert rows("yarn/berry") == {
        ("lodash", "4.17.20", 24, "runtime", "registry"),
        ("typescript", "5.4.5", 30, "dev", "registry"),  # the patch: entry is the same package
    }


def test_pnpm_v6_peer_suffix_dev_flag_and_tarball() -> None:
    assert rows("pnpm/v6") == {
        ("@types/node", "20.1.0", 18, "runtime", "registry"),
        ("react-dom", "18.2.0", 22, "runtime", "registry"),
        ("react", "18.2.0", 26, "runtime", "registry"),
        ("vitest", "1.0.0", 30, "dev", "registry"),
        ("repo", "0.0.1", 34, "runtime", "url"),
    }


def test_pnpm_v9_dev_from_importers_and_snapshots() -> None:
    assert rows("pnpm/v9") == {
        ("@scope/util", "1.0.0", 23, "runtime", "registry"),  # from the packages/lib workspace
        ("debug", "2.6.9", 26, "runtime", "registry"),
        ("eslint", "8.0.0", 29, "dev", "registry"),
        ("express", "4.18.2", 32, "runtime", "registry"),
        ("ms", "2.0.0", 35, "runtime", "registry"),
        ("ms", "2.1.3", 38, "dev", "registry"),
    }


def test_requirements_pins_hashes_extras_markers_includes_and_ranges() -> None:
    fd = parsed("requirements/full")
    got = {
        (p.name, p.version, p.loc.path.rsplit("/", 1)[-1], p.loc.line, p.scope, p.source, p.requirement)
        for p in fd.packages
    }
    assert got == {
        ("pytest", "8.0.0", "requirements-dev.txt", 1, "dev", "registry", ""),
        ("boto3", "1.34.120", "base.txt", 1, "runtime", "registry", ""),  # -r base.txt
        ("Django", "4.2.0", "requirements.txt", 5, "runtime", "registry", ""),  # extras + hashes
        ("PyYAML", None, "requirements.txt", 8, "runtime", "registry", "PyYAML>=5.4"),  # a range: unpinned
        ("urllib3", "1.26.18", "requirements.txt", 9, "runtime", "registry", ""),  # pinned by -c
        ("typing_extensions", "4.12.2", "requirements.txt", 11, "runtime", "registry", ""),  # true marker
        ("requests", "2.31.0", "requirements.txt", 12, "runtime", "registry", ""),
        ("numpy", None, "requirements.txt", 13, "runtime", "registry", "numpy==1.*"),  # wildcard: unpinned
        (
            "project",
            None,
            "requirements.txt",
            14,
            "runtime",
            "git",
            "git+https://github.com/user/project.git#egg=project",
        ),
        ("mylib", None, "requirements.txt", 15, "runtime", "git", "mylib @ git+https://github.com/user/mylib.git@v1.0"),
        ("local-wheel", None, "requirements.txt", 16, "runtime", "path", "./local-wheel"),
    }  # pywin32 (win32 marker) is not installed on Lambda; constraint-only packages are not installed
    assert next(p for p in fd.packages if p.name == "typing_extensions").purl == "pkg:pypi/typing-extensions@4.12.2"


def test_requirements_include_outside_the_root_is_refused() -> None:
    fd = parsed("requirements/escape")
    assert [p.name for p in fd.packages] == ["flask"]
    assert "outside the scanned folder" in fd.errors[0].message


def test_pipfile_default_and_develop_sections_and_sources() -> None:
    assert rows("pipfile/full") == {
        ("requests", "2.31.0", 4, "runtime", "registry"),  # in both sections: deployed
        ("mypkg", None, 9, "runtime", "path"),
        ("gitpkg", None, 13, "runtime", "git"),
        ("pytest", "8.0.0", 22, "dev", "registry"),
    }


def test_poetry_old_category_field() -> None:
    assert rows("poetry/old-category") == {
        ("requests", "2.25.0", 1, "runtime", "registry"),
        ("pytest", "6.0.0", 9, "dev", "registry"),
    }


def test_poetry_groups_from_pyproject_and_graph() -> None:
    assert rows("poetry/groups") == {
        ("flask", "3.0.0", 1, "runtime", "registry"),
        ("werkzeug", "3.0.1", 11, "runtime", "registry"),
        ("pytest", "8.0.0", 18, "dev", "registry"),
        ("pluggy", "1.4.0", 28, "dev", "registry"),
        ("mylib", "0.1.0", 35, "runtime", "git"),
    }


def test_uv_project_is_not_a_package_and_dev_groups_are_dev() -> None:
    assert rows("uv/workspace") == {
        ("httpx", "0.27.0", 17, "runtime", "registry"),
        ("idna", "3.7", 25, "runtime", "registry"),  # reached by httpx and pytest: runtime wins
        ("pytest", "8.2.0", 30, "dev", "registry"),
        ("iniconfig", "2.0.0", 39, "dev", "registry"),
        ("fromgit", "1.0.0", 44, "runtime", "git"),
    }


def test_maven_properties_nested_parent_pom_dependency_management_scopes_and_ranges() -> None:
    fd = parsed("maven/parent/core")
    got = {(p.name, p.version, p.loc.line, p.scope, p.requirement) for p in fd.packages}
    assert got == {
        ("com.fasterxml.jackson.core:jackson-databind", "2.9.8", 16, "runtime", ""),  # ${jackson.major}.8 in the parent
        ("org.apache.logging.log4j:log4j-core", "2.14.1", 21, "runtime", ""),  # dependencyManagement of the parent
        ("com.amazonaws:aws-lambda-java-core", "1.2.3", 25, "runtime", ""),
        ("com.example:sibling", "1.0.0-SNAPSHOT", 30, "runtime", ""),  # ${project.groupId}/${project.version}
        ("junit:junit", "4.12", 35, "dev", ""),  # test scope
        ("org.example:ranged", None, 41, "runtime", "[1.0,2.0)"),  # a range is not a version
        ("org.example:undefined", None, 46, "runtime", "${nowhere.version}"),
    }
    assert [e.message for e in fd.errors] == [
        "maven/parent/core/pom.xml: org.example:undefined version ${nowhere.version} is not defined here or in a parent POM"
    ]
    assert (
        next(p for p in fd.packages if p.name.endswith("jackson-databind")).purl
        == "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.9.8"
    )


def test_gradle_configurations_decide_the_scope() -> None:
    assert rows("gradle/full") == {
        ("com.fasterxml.jackson.core:jackson-databind", "2.13.0", 4, "runtime", "registry"),
        ("junit:junit", "4.13.2", 5, "dev", "registry"),
        ("org.projectlombok:lombok", "1.18.30", 6, "dev", "registry"),
    }


def test_go_mod_requires_indirect_replace_toolchain() -> None:
    fd = parsed("go/full")
    got = {(p.name, p.version, p.loc.line, p.direct, p.source) for p in fd.packages}
    assert got == {
        ("github.com/aws/aws-lambda-go", "v1.41.0", 8, True, "registry"),
        ("golang.org/x/net", "v0.0.0-20220722155237-a158d28d115b", 9, False, "registry"),
        ("github.com/old/lib", "v2.0.0+incompatible", 10, True, "registry"),
        ("example.com/local", None, 11, True, "path"),  # replaced by ../local
        ("github.com/fork/line", "v1.2.4", 14, True, "registry"),  # replaced by a fork
        ("stdlib", "v1.21.5", 5, True, "registry"),  # the toolchain
    }


def test_go_before_1_17_adds_modules_from_go_sum() -> None:
    got = {(p.name, p.version, p.direct) for p in parsed("go/old-go").packages}
    assert got == {("github.com/direct/dep", "v1.0.0", True), ("github.com/transitive/dep", "v0.10.0", False)}


def test_go_sum_alone() -> None:
    assert rows("go/sum-only") == {("github.com/x/y", "v1.0.0", 1, "runtime", "registry")}


def test_cargo_duplicates_at_two_versions_git_and_workspace_crates() -> None:
    assert rows("cargo/full") == {
        ("time", "0.1.45", 12, "runtime", "registry"),
        ("time", "0.3.30", 18, "runtime", "registry"),
        ("gitcrate", "0.1.0", 24, "runtime", "git"),
    }


def test_gemfile_sources_platforms_and_dev_groups() -> None:
    assert rows("gemfile/full") == {
        ("mygem", "0.1.0", 5, "runtime", "git"),
        ("diff-lcs", "1.5.0", 10, "dev", "registry"),
        ("nokogiri", "1.13.0", 11, "runtime", "registry"),  # -x86_64-linux dropped
        ("racc", "1.6.0", 13, "runtime", "registry"),
        ("rack", "2.2.3", 14, "runtime", "registry"),
        ("rspec", "3.12.0", 15, "dev", "registry"),
    }


def test_composer_packages_dev_and_branches() -> None:
    assert rows("composer/full") == {
        ("guzzlehttp/guzzle", "7.4.0", 6, "runtime", "registry"),
        ("acme/branch", "dev-main", 11, "runtime", "git"),
        ("phpunit/phpunit", "9.5.0", 18, "dev", "registry"),
    }


def test_a_manifest_without_lockfile_is_reported(tmp_path: Path) -> None:
    (tmp_path / "fn").mkdir()
    (tmp_path / "fn" / "package.json").write_text('{"dependencies": {"a": "^1"}}')
    (tmp_path / "fn2").mkdir()
    (tmp_path / "fn2" / "package.json").write_text('{"name": "no-deps"}')
    (tmp_path / "ws" / "pkg").mkdir(parents=True)
    (tmp_path / "ws" / "yarn.lock").write_text("")
    (tmp_path / "ws" / "pkg" / "package.json").write_text('{"dependencies": {"a": "^1"}}')
    (tmp_path / "ws" / "package.json").write_text('{"private": true, "workspaces": ["pkg"]}')
    assert parse_folder(tmp_path, tmp_path / "fn").unlocked == [("fn/package.json", "npm")]
    assert parse_folder(tmp_path, tmp_path / "fn2").unlocked == []  # nothing to pin
    assert parse_folder(tmp_path, tmp_path / "ws" / "pkg").unlocked == []  # the workspace lock above pins it
