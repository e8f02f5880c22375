"""serverless.ts / .js / .mjs / .cjs: the exported configuration read statically (`loaders/_sls_script.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.errors import Loss, ScanError
from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders._sls_script import origins, read
from fnaudit.loaders._sls_variables import Unresolved
from fnaudit.loaders._yaml import LDict
from fnaudit.loaders.base import LoadOptions
from fnaudit.loaders.discover import SHADOWED, Skipped, discover
from fnaudit.loaders.serverless import load
from fnaudit.model import App, AuthKind, Dialect, Loc, Origin, Ref, RefKind, TriggerKind, Value

FIXTURE = Path(__file__).parent / "fixtures" / "serverless-ts"
TS = "serverless.ts"


def _write(root: Path, rel: str, text: str) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)
    return p


def _read(root: Path, name: str, text: str) -> tuple[object, list[ScanError]]:
    path = _write(root, name, text)
    out = read(path, text, name, root, ScanRoot.of(root))
    return out.data, out.errors


def _app(root: Path) -> tuple[App, list[ScanError], set[str]]:
    """Discover and load the only app under `root`: its errors from both steps, and the files it consumed."""
    scan_root = ScanRoot.of(root)
    found = discover(root, scan_root)
    assert [d.dialect for d in found.docs] == [Dialect.SERVERLESS]
    out = load(found.docs[0], scan_root, LoadOptions())
    assert len(out.apps) == 1
    return out.apps[0], found.errors + out.errors, out.consumed


def test_typescript_template_app_is_read_with_every_value_at_its_own_line() -> None:
    app, errors, consumed = _app(FIXTURE)
    assert app.name == "ts-orders"
    assert app.source == TS
    hello, admin = app.function("hello"), app.function("admin")
    assert hello is not None and admin is not None
    # the function is named in serverless.ts (`functions: { hello, admin }`) ...
    assert hello.loc == Loc(TS, 28)
    # ... its body is written in its own module; `${handlerPath(__dirname)}` is that module's folder
    assert hello.handler == Value("src/functions/hello/handler.main", Loc("src/functions/hello/index.ts", 4))
    assert (hello.code.root, hello.code.handler_file) == ("", "src/functions/hello/handler.ts")
    (route,) = hello.triggers
    assert (route.kind, route.method, route.path, route.public) == (TriggerKind.API_REST, "POST", "/hello", True)
    assert route.loc == Loc("src/functions/hello/index.ts", 7)  # the `http:` key: `{` stands alone above it
    assert route.authorizer.kind == AuthKind.NONE
    (admin_route,) = admin.triggers
    assert admin_route.authorizer.kind == AuthKind.IAM
    assert admin_route.loc == Loc("src/functions/admin/index.ts", 7)
    # provider values: a spread const, a template string with a const in it, `as const`, a number
    assert hello.runtime == Value("nodejs20.x", Loc(TS, 17), Origin.INHERITED)
    assert hello.timeout == Value(10, Loc(TS, 19), Origin.INHERITED)
    env = hello.environment
    assert env["NODE_OPTIONS"] == Value("--enable-source-maps --stack-trace-limit=1000", Loc(TS, 8), Origin.INHERITED)
    assert env["TABLE"] == Value("orders-dev", Loc(TS, 23), Origin.INHERITED)
    # `${aws:region}` inside a plain string is still a Framework variable, resolved as in YAML
    assert env["REGION_NAME"] == Value("us-east-1", Loc(TS, 24), Origin.INHERITED)
    # what only running the file gives is unresolved, with an error entry naming the line
    assert env["API_TOKEN"].value is None
    assert env["API_TOKEN"].ref == Ref(RefKind.ENVIRONMENT, "process.env.API_TOKEN")
    assert errors == [
        ScanError(
            TS,
            "line 25: `process.env.API_TOKEN` is not read: an environment variable of the deploying machine "
            "(fnaudit reads this file without running it); the value is unknown",
            "load",
            Loss.PARTIAL,
        ),
        ScanError(
            TS,
            "line 38: `getVersion()` is not read: a function call (fnaudit reads this file without running it); "
            "the value is unknown",
            "load",
            Loss.PARTIAL,
        ),
    ]
    assert consumed == {
        "src/functions/admin/index.ts",
        "src/functions/hello/index.ts",
        "src/functions/index.ts",
    }  # not the `handlerPath` helper: its call is recognised, never evaluated


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("serverless.js", "module.exports = {\n  service: 'svc',\n  provider: { name: 'aws' },\n};\n"),
        (
            "serverless.cjs",
            "'use strict';\nconst config = { service: 'svc', provider: { name: 'aws' } };\nmodule.exports = config;\n",
        ),
        ("serverless.mjs", "export default {\n  service: 'svc',\n  provider: { name: 'aws' },\n};\n"),
        (
            "serverless.ts",
            "const config = {\n  service: 'svc',\n  provider: { name: 'aws' },\n} as const;\nexport = config;\n",
        ),
        (
            "serverless.ts",
            "import type { AWS } from '@serverless/typescript';\n"
            "const serverlessConfiguration: AWS = <AWS>{ service: 'svc', provider: { name: 'aws' } } satisfies AWS;\n"
            "module.exports = serverlessConfiguration;\n",
        ),
    ],
)
def test_every_export_form_is_read(tmp_path: Path, name: str, text: str) -> None:
    data, errors = _read(tmp_path, name, text)
    assert errors == []
    assert data == {"service": "svc", "provider": {"name": "aws"}}


def test_literals_read_as_javascript_gives_them(tmp_path: Path) -> None:
    text = (
        "const base = { a: 1, b: 'x' };\n"
        "const list = ['p', 'q'];\n"
        "const name = 'orders';\n"
        "export default {\n"
        "  ...base,\n"
        "  b: 'overridden',\n"
        "  'quoted-key': `plain template`,\n"
        "  [name]: true,\n"
        "  items: [...list, 'r', null, undefined, false],\n"
        "  numbers: [0x10, 1.5, 1_000, -2],\n"
        "  joined: name + '-' + 2,\n"
        "  escaped: 'a\\tb\\u0041',\n"
        "  nested: { name },\n"
        "};\n"
    )
    data, errors = _read(tmp_path, "serverless.mjs", text)
    assert errors == []
    assert data == {
        "a": 1,
        "b": "overridden",
        "quoted-key": "plain template",
        "orders": True,
        "items": ["p", "q", "r", None, None, False],
        "numbers": [16, 1.5, 1000, -2],
        "joined": "orders-2",
        "escaped": "a\tbA",
        "nested": {"name": "orders"},
    }
    assert isinstance(data, LDict)
    assert data.line_of("a") == 1  # a spread member keeps the line where it is written
    assert data.line_of("b") == 6
    assert data["items"].item_lines == [2, 2, 9, 9, 9, 9]


def test_values_that_need_running_the_file_are_unresolved_and_named(tmp_path: Path) -> None:
    text = (
        "const stage = process.env.STAGE || 'dev';\n"
        "module.exports = {\n"
        "  service: getName(),\n"
        "  custom: {\n"
        "    stage,\n"
        "    secret: process.env.SECRET,\n"
        "    data: await import('./data.js'),\n"
        "    url: `https://${host}/x`,\n"
        "  },\n"
        "};\n"
    )
    data, errors = _read(tmp_path, "serverless.js", text)
    assert isinstance(data, dict)
    assert data["service"] == Unresolved(Ref(RefKind.OTHER, "getName()"))
    assert data["custom"]["secret"].ref == Ref(RefKind.ENVIRONMENT, "process.env.SECRET")
    assert [e.message for e in errors] == [
        "line 3: `getName()` is not read: a function call (fnaudit reads this file without running it); "
        "the value is unknown",
        "line 1: `process.env.STAGE || 'dev'` is not read: a binary expression (fnaudit reads this file without "
        "running it); the value is unknown",
        "line 6: `process.env.SECRET` is not read: an environment variable of the deploying machine (fnaudit reads "
        "this file without running it); the value is unknown",
        "line 7: `await import('./data.js')` is not read: computed when the file runs (fnaudit reads this file "
        "without running it); the value is unknown",
        "line 8: `host` is not read: `host` is not a `const` of this file or a relative import (fnaudit reads this "
        "file without running it); the value is unknown",
    ]
    assert {e.loss for e in errors} == {Loss.PARTIAL}
    assert isinstance(data["custom"]["url"], Unresolved)


def test_the_file_is_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"require('fs').writeFileSync({str(marker)!r}, 'x');\nmodule.exports = {{ service: 'svc' }};\n"
    data, errors = _read(tmp_path, "serverless.js", text)
    assert (data, errors) == ({"service": "svc"}, [])
    assert not marker.exists()


def test_imports_are_read_from_relative_modules_and_tsconfig_aliases_only_inside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "app"
    _write(tmp_path, "outside.ts", "export default { stolen: true };\n")
    _write(
        root,
        "tsconfig.json",
        '{\n  // JSON with comments\n  "compilerOptions": {"paths": {"@fns/*": ["src/*"],},},\n}\n',
    )
    _write(root, "src/a.ts", "export const a = { handler: 'a.main' };\n")
    _write(root, "src/b.js", "module.exports = { handler: 'b.main' };\n")
    text = (
        "import { a } from '@fns/a';\n"
        "import out from '../outside';\n"
        "import pkg from 'some-package';\n"
        "const b = require('./src/b');\n"
        "export default { functions: { a, b }, custom: { out, pkg } };\n"
    )
    data, errors = _read(root, TS, text)
    assert isinstance(data, dict)
    assert data["functions"] == {"a": {"handler": "a.main"}, "b": {"handler": "b.main"}}
    assert sorted(rel for _, rel in origins(data)) == ["src/a.ts", "src/b.js"]
    assert isinstance(data["custom"]["out"], Unresolved) and isinstance(data["custom"]["pkg"], Unresolved)
    assert [e.message for e in errors] == [
        "line 5: `out` is not read: `../outside` points outside the scanned folder; fnaudit never reads there "
        "(fnaudit reads this file without running it); the value is unknown",
        "line 5: `pkg` is not read: `some-package` is a package, not a relative module or a tsconfig path alias "
        "(fnaudit reads this file without running it); the value is unknown",
    ]


def test_a_const_that_refers_to_itself_ends_as_an_error_not_a_hang(tmp_path: Path) -> None:
    data, errors = _read(tmp_path, TS, "const a = b;\nconst b = a;\nexport default { x: a };\n")
    assert isinstance(data, dict) and isinstance(data["x"], Unresolved)
    assert [e.message.split(":")[0] for e in errors] == ["line 2"]  # where the loop closes
    assert "`a` refers to itself" in errors[0].message


def test_nothing_readable_exported_loses_the_app_with_a_named_error(tmp_path: Path) -> None:
    _write(tmp_path, "serverless.js", "module.exports = require('./build-config')(process.env);\n")
    found = discover(tmp_path, ScanRoot.of(tmp_path))
    assert found.docs == []
    assert found.errors == [
        ScanError(
            "serverless.js",
            "line 1: the exported configuration is not read: a function call (fnaudit reads this file without "
            "running it); the service is not analysed",
            "load",
            Loss.APP,
        )
    ]
    _write(tmp_path / "b", "serverless.ts", "const config = { service: 'x' };\n")
    only = discover(tmp_path / "b", ScanRoot.of(tmp_path / "b"))
    assert only.docs == []
    assert only.errors[0].message.startswith("no configuration object exported")


def test_discovery_takes_the_file_the_framework_reads(tmp_path: Path) -> None:
    _write(tmp_path, "a/serverless.ts", "export default { service: 'a', provider: { name: 'aws' } };\n")
    _write(tmp_path, "b/serverless.yml", "service: b\nprovider: {name: aws}\n")
    _write(tmp_path, "b/serverless.ts", "export default { service: 'b2' };\n")
    found = discover(tmp_path, ScanRoot.of(tmp_path))
    assert [(d.rel, d.dialect) for d in found.docs] == [
        ("a/serverless.ts", Dialect.SERVERLESS),
        ("b/serverless.yml", Dialect.SERVERLESS),
    ]
    assert found.skipped == [Skipped("b/serverless.ts", SHADOWED.format("serverless.yml"))]
    assert found.errors == []


def test_a_syntax_error_is_named_and_what_parses_is_still_read(tmp_path: Path) -> None:
    text = "module.exports = {\n  service: 'svc',\n  provider: { name: 'aws' } +,\n  x: 1,\n};\n"
    data, errors = _read(tmp_path, "serverless.js", text)
    assert errors[0] == ScanError(
        "serverless.js", "line 3: syntax error; the configuration may be read incompletely", "load", Loss.PARTIAL
    )
    assert isinstance(data, dict) and (data["service"], data["x"]) == ("svc", 1)
