"""Package URLs are built by packageurl-python from the package's parts, by loaders and reporters alike:
never a hand-made `pkg:` string (whose type, name normalisation and escaping were wrong)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from packageurl import PackageURL

from fnaudit.model.loc import Loc
from fnaudit.model.package import Package, build_purl


@pytest.mark.parametrize(
    ("ecosystem", "name", "version", "purl"),
    [
        ("PyPI", "Foo.Bar_baz", "1.0", "pkg:pypi/foo-bar-baz@1.0"),
        ("npm", "@scope/pkg", "2.1.0", "pkg:npm/%40scope/pkg@2.1.0"),
        ("npm", "left-pad", None, "pkg:npm/left-pad"),
        (
            "Maven",
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1",
        ),
        ("Go", "github.com/gin-gonic/gin", "v1.9.0", "pkg:golang/github.com/gin-gonic/gin@v1.9.0"),
        ("crates.io", "serde", "1.0.0", "pkg:cargo/serde@1.0.0"),
        ("RubyGems", "rails", "7.0.0", "pkg:gem/rails@7.0.0"),
        ("Packagist", "symfony/http-kernel", "6.0.0", "pkg:composer/symfony/http-kernel@6.0.0"),
        ("Hex", "plug", "1.0.0", "pkg:generic/plug@1.0.0"),
    ],
)
def test_build_purl(ecosystem: str, name: str, version: str | None, purl: str) -> None:
    assert build_purl(ecosystem, name, version) == purl
    assert PackageURL.from_string(purl).to_string() == purl  # parses back to itself


def _hand_built(**kw: object) -> Package:
    base = Package("", "PyPI", "Foo_Bar", "1.0", Loc("requirements.txt", 1))
    return replace(base, **kw)  # type: ignore[arg-type]


def test_package_url_falls_back_to_a_real_purl() -> None:
    assert _hand_built().package_url == "pkg:pypi/foo-bar@1.0"
    assert _hand_built(ecosystem="npm", name="@s/p").package_url == "pkg:npm/%40s/p@1.0"
    # a git or path package has no registry version, as the lockfile loaders write it
    assert _hand_built(source="git").package_url == "pkg:pypi/foo-bar"
    assert _hand_built(purl="pkg:pypi/kept@9").package_url == "pkg:pypi/kept@9"


def test_cyclonedx_component_of_a_package_without_purl_has_a_real_one() -> None:
    """Before: bom-ref `pkg:PyPI/Foo_Bar@1.0#registry` and no purl at all."""
    from fnaudit.report import cyclonedx
    from tests.report.builders import make_result

    result = make_result()
    app = result.apps[0]
    pkgs = (_hand_built(), _hand_built(ecosystem="npm", name="@s/p", version="2.0"))
    app = replace(app, functions=(replace(app.functions[0], packages=pkgs), *app.functions[1:]))
    result = replace(result, apps=(app,))
    from cyclonedx.output.json import JsonV1Dot6

    doc = json.loads(JsonV1Dot6(cyclonedx.build(result)).output_as_string())
    libs = sorted((c["bom-ref"], c.get("purl")) for c in doc["components"] if c["type"] == "library")
    assert libs == [("pkg:npm/%40s/p@2.0", "pkg:npm/%40s/p@2.0"), ("pkg:pypi/foo-bar@1.0", "pkg:pypi/foo-bar@1.0")]
