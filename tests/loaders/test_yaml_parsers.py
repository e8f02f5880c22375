"""Both YAML parsers give the same data and lines (issue 18): libyaml's C parser composes the nodes when
PyYAML has it, the pure-Python parser is the fallback; `_yaml`'s remembered tag resolution and key
reading must not make the two differ from each other or from PyYAML's own answers."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from fnaudit.errors import InputError
from fnaudit.loaders import _yaml
from fnaudit.loaders._yaml import LDict, LList, load_any, load_yaml

LIBYAML = pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML built without libyaml")
ROOT = Path(__file__).resolve().parents[2]

TRICKY = {
    "anchors and merge keys": """\
base: &base
  Runtime: python3.12
  Timeout: 3
extra: &extra {MemorySize: 256, Timeout: 9}
fn:
  <<: [*base, *extra]
  Timeout: 30
  Handler: app.handler
again: *base
list: [&a one, *a, &b {k: v}, *b]
""",
    "short-form tags": """\
Resources:
  Fn:
    Properties:
      Role: !GetAtt FnRole.Arn
      Att2: !GetAtt [Other, Arn]
      Name: !Sub "${AWS::StackName}-fn"
      Sub2: !Sub
        - "${A}-${B}"
        - {A: !Ref X, B: !ImportValue Y}
      Joined: !Join ["", [a, !Ref B, !Select [0, !GetAZs ""]]]
      Cond: !If [IsProd, !Ref P, !Ref "AWS::NoValue"]
      Eq: !Equals [!Ref Env, prod]
      B64: !Base64 |
        #!/bin/bash
        echo hi
      Local: !MyTag some text
      Cidr: !Cidr [10.0.0.0/16, 4, 8]
""",
    "multi-line strings": """\
literal: |
  line one
    indented
  last
folded: >
  folded
  text

  new paragraph
keep: |+
  kept

strip: >-
  stripped
quoted: "a
  b \\t \\u00e9 \\x41"
single: 'it''s
  folded'
plain: a plain
  continued scalar
""",
    "duplicate keys": """\
a: 1
b: 2
a: 3
nested:
  x: first
  x: second
""",
    "scalars and keys": """\
yes: on
no: off
True: true
NULL: ~
0x10: hex
1_000: underscore
1.5e3: float
.inf: inf
-.Inf: ninf
.NaN: nan
"007": quoted
2012-10-17: date key
Version: 2012-10-17
Time: 2001-12-14t21:59:43.10-05:00
Int: 0o17
Octal11: 017
Float: 6.8523015e+5
Sexagesimal: 190:20:30
Bin: !!binary aGVsbG8=
Str: !!str 123
Empty:
Tilde: ~
? [complex, key]
: complex value
? {map: key}
: map value
unicode: "ünïcödé → ✓"
emoji: 🎉
""",
    "flow, comments and CRLF": (
        "a: {b: [1, 2, {c: d}], e: f}  # comment\r\n# full line\r\ng:\r\n  - h\r\n  - - i\r\n    - j\r\n"
    ),
}

ERRORS = {
    "mapping value": "a: 1\nb: c: d\n",
    "unclosed flow": "a: [1, 2\nb: 3\n",
    "tab": "a:\n\tb: 1\n",
    "undefined alias": "a: *nope\n",
    "bad indentation": "a:\n  b: 1\n c: 2\n",
    "unterminated quote": "x: 1\na: 'abc\n",
    "second document": "a: 1\n---\nb: 2\n",
}


def shape(v: Any) -> Any:
    """Everything `load_yaml` returns that a loader or rule can see: values, their types and lines."""
    if isinstance(v, LDict):
        return ("D", v.line, [(k, v.key_lines.get(k), shape(x)) for k, x in v.items()], sorted(v.key_lines.items()))
    if isinstance(v, LList):
        return ("L", v.line, [shape(x) for x in v], list(v.item_lines))
    assert not isinstance(v, dict | list), v
    return (type(v).__name__, repr(v))


def load_with(loader: type, text: str, monkeypatch: pytest.MonkeyPatch, name: str = "t.yaml") -> Any:
    monkeypatch.setattr(_yaml, "_Loader", loader)
    return shape(load_any(text, name))


def error_with(loader: type, text: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(_yaml, "_Loader", loader)
    with pytest.raises(InputError) as exc:
        load_yaml(text)
    return str(exc.value)


@LIBYAML
@pytest.mark.parametrize("name", sorted(TRICKY))
def test_c_and_python_parsers_give_the_same_values_and_lines(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    c = load_with(_yaml._CLoader, TRICKY[name], monkeypatch)
    py = load_with(_yaml._PyLoader, TRICKY[name], monkeypatch)
    assert c == py


@pytest.mark.parametrize("loader", ["_CLoader", "_PyLoader"])
def test_tricky_yaml_values_and_lines(loader: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(_yaml, loader):
        pytest.skip("PyYAML built without libyaml")
    monkeypatch.setattr(_yaml, "_Loader", getattr(_yaml, loader))
    doc = load_yaml(TRICKY["anchors and merge keys"])
    fn = doc["fn"]
    assert fn == {"Timeout": 30, "Handler": "app.handler", "Runtime": "python3.12", "MemorySize": 256}
    # merged keys at the line where the anchor defines them, unless the mapping sets them itself
    assert [(k, fn.line_of(k)) for k in fn] == [("Runtime", 2), ("Timeout", 7), ("MemorySize", 4), ("Handler", 8)]
    assert doc["list"] == ["one", "one", {"k": "v"}, {"k": "v"}] and doc["list"].item_lines == [10, 10, 10, 10]
    props = load_yaml(TRICKY["short-form tags"])["Resources"]["Fn"]["Properties"]
    assert props["Role"] == {"Fn::GetAtt": ["FnRole", "Arn"]} and props["Role"]["Fn::GetAtt"].item_lines == [4, 4]
    assert props["Sub2"] == {"Fn::Sub": ["${A}-${B}", {"A": {"Ref": "X"}, "B": {"Fn::ImportValue": "Y"}}]}
    assert props["Joined"] == {"Fn::Join": ["", ["a", {"Ref": "B"}, {"Fn::Select": [0, {"Fn::GetAZs": ""}]}]]}
    assert props["B64"] == {"Fn::Base64": "#!/bin/bash\necho hi\n"} and props.line_of("B64") == 13
    assert props["Local"] == "some text" and props["Cidr"] == {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}
    strings = load_yaml(TRICKY["multi-line strings"])
    assert strings["literal"] == "line one\n  indented\nlast\n" and strings.line_of("folded") == 5
    assert strings["folded"] == "folded text\nnew paragraph\n" and strings["keep"] == "kept\n\n"
    assert (strings["strip"], strings["quoted"], strings["single"]) == ("stripped", "a b \t é A", "it's folded")
    assert strings["plain"] == "a plain continued scalar" and strings.line_of("plain") == 19
    dup = load_yaml(TRICKY["duplicate keys"])
    assert dup == {"a": 3, "b": 2, "nested": {"x": "second"}} and dup.line_of("a") == 3
    keys = load_yaml(TRICKY["scalars and keys"])
    assert list(keys)[:11] == ["yes", "no", "true", "null", "16", "1000", "1500", "Infinity", "-Infinity", "NaN", "007"]
    assert keys["yes"] is True and keys["Version"] == "2012-10-17" and keys["Int"] == "0o17" and keys["Octal11"] == 15
    assert (keys["Bin"], keys["Str"], keys["Empty"], keys["Sexagesimal"]) == ("aGVsbG8=", "123", None, 685230)
    assert keys["['complex', 'key']"] == "complex value" and keys["{'map': 'key'}"] == "map value"
    assert keys.line_of("emoji") == 28 and keys["unicode"] == "ünïcödé → ✓"
    crlf = load_yaml(TRICKY["flow, comments and CRLF"])
    assert crlf == {"a": {"b": [1, 2, {"c": "d"}], "e": "f"}, "g": ["h", ["i", "j"]]}
    assert crlf.line_of("g") == 3 and crlf["g"].item_lines == [4, 5] and crlf["g"][1].item_lines == [5, 6]


@LIBYAML
@pytest.mark.parametrize("name", sorted(ERRORS))
def test_both_parsers_name_the_same_line_and_column_of_an_error(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    c = error_with(_yaml._CLoader, ERRORS[name], monkeypatch)
    py = error_with(_yaml._PyLoader, ERRORS[name], monkeypatch)
    where = re.compile(r"^(YAML (?:syntax )?error): .* at (line \d+, column \d+)$")
    c_match, py_match = where.match(c), where.match(py)
    assert c_match and py_match, (c, py)
    assert c_match.groups() == py_match.groups()  # libyaml words the problem its own way


def test_error_lines_of_the_loader_in_use() -> None:
    with pytest.raises(InputError) as quote:
        load_yaml(ERRORS["unterminated quote"])
    assert str(quote.value) == "YAML syntax error: found unexpected end of stream at line 3, column 1"
    with pytest.raises(InputError) as alias:
        load_yaml(ERRORS["undefined alias"])
    assert str(alias.value).startswith("YAML error: found undefined alias") and str(alias.value).endswith(
        " at line 1, column 4"
    )


@LIBYAML
@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for pattern in ("tests/loaders/fixtures/**/*.y*ml", "tests/apps/**/*.y*ml", "examples/**/*.y*ml")
        for p in ROOT.glob(pattern)
        if p.is_file() and p.stat().st_size < 1_000_000
    )[:400],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_both_parsers_agree_on_every_fixture(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = path.read_text(encoding="utf-8-sig", errors="replace")
    results = []
    for loader in (_yaml._CLoader, _yaml._PyLoader):
        try:
            results.append(load_with(loader, text, monkeypatch, path.name))
        except InputError as exc:
            results.append(("error", re.sub(r"^.*( at line \d+, column \d+)$", r"\1", str(exc))))
    assert results[0] == results[1]


def test_remembered_tag_resolution_is_pyyaml_own() -> None:
    """`_scalar_tag` answers what PyYAML's resolver answers, for every kind of plain scalar."""
    resolver: Any = yaml.resolver.Resolver()
    for text in [
        "",
        "~",
        "null",
        "yes",
        "No",
        "on",
        "1",
        "0x1F",
        "1_0",
        "1.5",
        ".inf",
        "-.NaN",
        "2012-10-17",
        "<<",
        "=",
        "a",
        "190:20:30",
    ]:
        for implicit in [(True, False), (False, True), (False, False)]:
            assert _yaml._scalar_tag(text, implicit) == resolver.resolve(yaml.ScalarNode, text, implicit), text


def test_long_texts_are_read_as_short_ones() -> None:
    """Texts over the memo's length limit take the same resolution, only not remembered."""
    long_number, long_text = "1" * 300, "x" * 300
    doc = load_yaml(f"{long_number}: {long_text}\n{long_text}: {long_number}\nk: [{long_number}.5, 0x{'f' * 250}]\n")
    assert doc == {long_number: long_text, long_text: int(long_number), "k": [float(long_number + ".5"), 16**250 - 1]}
    assert doc.line_of(long_text) == 2
