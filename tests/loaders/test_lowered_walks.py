"""The walks of a lowered template (Terraform, CDK) and the HCL parse memo (issue 18): what they rewrite, what
they leave alone, and that a file read twice (the loader, then the secrets engine) is parsed once."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple

import pytest

from fnaudit.loaders._yaml import LDict, LList
from fnaudit.loaders.lowered import LineTable, real_lines, remap
from fnaudit.loaders.terraform.hcl import HclError, parse_file
from fnaudit.loaders.terraform.lower import Lowering, detach_unmodelled
from fnaudit.model.loc import Loc

VIRTUAL = "main.tf"


class Colour(StrEnum):
    RED = "red"


class Pair(NamedTuple):
    loc: Loc
    name: str


@dataclass(frozen=True)
class Leaf:
    loc: Loc
    name: str = "x"
    colour: Colour = Colour.RED
    count: int = 0


@dataclass(frozen=True)
class Tree:
    leaf: Leaf
    leaves: tuple[Leaf, ...] = ()
    listed: list[Any] = field(default_factory=list)
    mapping: dict[str, Any] = field(default_factory=dict)
    tagged: frozenset[Loc] = frozenset()
    pair: Pair | None = None
    template: LDict | None = None
    untouched: Leaf | None = None


def _fix(loc: Loc) -> Loc:
    return Loc("real.tf", loc.line * 10) if loc.path == VIRTUAL else loc


def test_remap_rewrites_every_virtual_location_and_keeps_what_has_none() -> None:
    shared = Leaf(Loc(VIRTUAL, 1))
    kept = Leaf(Loc("other.tf", 4))
    template = LDict(3)
    pair = Pair(Loc(VIRTUAL, 9), "p")
    tree = Tree(
        leaf=shared,
        leaves=(shared, kept),
        listed=[Loc(VIRTUAL, 2), "text", None],
        mapping={"a": Loc(VIRTUAL, 5), "b": 1.5},
        tagged=frozenset({Loc(VIRTUAL, 6)}),
        pair=pair,
        template=template,
        untouched=kept,
    )
    out = remap(tree, _fix)
    assert out.leaf == Leaf(Loc("real.tf", 10))
    assert out.leaves[0] is out.leaf  # a value met twice is rebuilt once
    assert out.leaves[1] is kept and out.untouched is kept  # nothing virtual inside: the same object
    assert out.listed == [Loc("real.tf", 20), "text", None]
    assert out.mapping == {"a": Loc("real.tf", 50), "b": 1.5}
    assert out.tagged == frozenset({Loc("real.tf", 60)})
    assert out.pair is pair  # a named tuple is not walked
    assert out.template is template  # a template mapping keeps its own lines (real_lines)
    assert out.leaf.colour is Colour.RED


def test_remap_of_a_value_with_no_virtual_location_is_that_value() -> None:
    tree = Tree(leaf=Leaf(Loc("other.tf", 1)), leaves=(Leaf(Loc("x.tf", 2)),), listed=["a"], mapping={"k": "v"})
    assert remap(tree, _fix) is tree
    assert remap("text", _fix) == "text"
    assert remap(Loc(VIRTUAL, 3), _fix) == Loc("real.tf", 30)


def test_real_lines_rewrites_mappings_and_lists_at_any_depth() -> None:
    table = LineTable()
    first, second = table.line("a.tf", 11), table.line("b.tf", 22)
    inner = LDict(second)
    inner["k"] = "v"
    inner.key_lines["k"] = first
    items = LList(first)
    items.extend([inner, "scalar", 3])
    items.item_lines.extend([second, first, 99])  # 99: no such virtual line
    template = LDict(first)
    template["plain"] = {"nested": [items]}
    template["again"] = inner  # the same mapping twice: rewritten once
    template.key_lines["plain"] = 0
    real_lines(template, table)
    assert (template.line, template.key_lines) == (11, {"plain": 0})
    assert (items.line, items.item_lines) == (11, [22, 11, 0])
    assert (inner.line, inner.key_lines) == (22, {"k": 11})


def test_detach_unmodelled_swaps_references_in_lists_and_mappings_only() -> None:
    low = Lowering()
    resources = LDict(1)
    resources["fn"] = {
        "Type": "AWS::Lambda::Function",
        "Properties": {
            "Env": [{"Ref": "random_string.x"}, {"Ref": "aws_sqs_queue.q"}, "random_string.x"],
            "Arn": {"Fn::GetAtt": ["null_resource.n", "Id"]},
        },
    }
    detach_unmodelled(resources, {"random_string.x", "null_resource.n"}, low)
    props = resources["fn"]["Properties"]
    assert props["Env"] == [{"Ref": "random_string.x"}, {"Ref": "aws_sqs_queue.q"}, "random_string.x"]
    assert props["Arn"] == {"Ref": "null_resource.n.Id"}
    assert set(low.parameters) == {"random_string.x", "null_resource.n.Id"}


def test_a_terraform_file_read_twice_is_parsed_once_and_a_broken_one_fails_every_time() -> None:
    text = 'variable "region" {\n  default = "eu-west-1"\n}\n'
    blocks = parse_file("memo/main.tf", text)
    assert parse_file("memo/main.tf", text) is blocks
    assert [(b.type, b.labels, b.rel, b.line) for b in blocks] == [("variable", ("region",), "memo/main.tf", 1)]
    assert parse_file("memo/other.tf", text)[0].rel == "memo/other.tf"  # the file's name is part of the key
    for _ in range(2):
        with pytest.raises(HclError, match="line 2: not valid HCL"):
            parse_file("memo/bad.tf", 'resource "x" "y" {\n  a = = 1\n}\n')
