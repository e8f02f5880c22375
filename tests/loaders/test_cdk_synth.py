"""A synthesised `cdk.out` beside a CDK app's source: it fills what reading the source left unknown, keeps
every location on the source, says what it filled (`errors` entries of loss `none`), and is used for
the resources that still match when it is older than the source. Also: the statically read model of
ts-shop against a hand-checked synthesis of it (tests/loaders/fixtures/cdk/synth-shop), with the
differences listed as known gaps."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema

from fnaudit.errors import Loss, ScanError
from fnaudit.loaders import LoadOptions, LoadOutcome, ScanRoot, load_all
from fnaudit.loaders._yaml import LDict, LList
from fnaudit.loaders.cdk.synth import Assembly, Synthesised, fill
from fnaudit.loaders.discover import CDK_SYNTH_DIR
from fnaudit.model import Function, Loc, Origin
from fnaudit.pipeline import scan
from fnaudit.report import Format, render
from tests.report.test_json import schema

FIX = Path(__file__).parent / "fixtures" / "cdk"
STACK = "lib/jobs-stack.ts"
TEMPLATE = "cdk.out/Jobs.template.json"


def load(target: Path) -> LoadOutcome:
    outcome, _ = load_all(target, ScanRoot.of(target), LoadOptions())
    return outcome


def line(path: Path, text: str) -> int:
    return next(i for i, x in enumerate(path.read_text().splitlines(), start=1) if text in x)


def functions(outcome: LoadOutcome) -> dict[str, Function]:
    assert len(outcome.apps) == 1
    return {f.name: f for f in outcome.apps[0].functions}


def filled(at: str, prop: str, resource: str, expression: str, template: str = TEMPLATE) -> str:
    return (
        f"line {line(FIX / 'synth-ts' / STACK, at)}: `{prop}` of {resource} is taken from {template}: "
        f"the source gives `{expression}`, known only by running the CDK app"
    )


def copy_app(tmp_path: Path, name: str, *, with_out: bool) -> Path:
    target = tmp_path / name
    shutil.copytree(FIX / name, target, ignore=None if with_out else shutil.ignore_patterns("cdk.out"))
    return target


def test_cdk_out_fills_unknown_values_located_at_the_source() -> None:
    app = FIX / "synth-ts"
    out = load(app)
    src = app / STACK
    assert out.errors == [
        ScanError(
            STACK, filled("tableName:", "TableName", "Jobs/Jobs", "this.node.tryGetContext(...)"), "load", Loss.NONE
        ),
        ScanError(STACK, filled("'Api'", "Runtime", "Jobs/Api", "NodejsFunction default runtime"), "load", Loss.NONE),
        ScanError(
            STACK, filled("MODE:", "Environment.Variables.MODE", "Jobs/Worker", "process.env.MODE"), "load", Loss.NONE
        ),
        ScanError(
            STACK,
            filled("DEPLOY_KEY:", "Environment.Variables.DEPLOY_KEY", "Jobs/Worker", "process.env.DEPLOY_KEY"),
            "load",
            Loss.NONE,
        ),
    ]
    fns = functions(out)
    # Jobs/Old is only in the (older) cdk.out: not an app function; Jobs/Report only in the source: as read
    assert sorted(fns) == ["Jobs/Api", "Jobs/Report", "Jobs/Worker"]
    api = fns["Jobs/Api"].runtime
    assert (api.value, api.origin, api.loc) == ("nodejs20.x", Origin.SET, Loc(STACK, line(src, "'Api'")))
    report = fns["Jobs/Report"].runtime
    assert (report.value, report.origin) == (None, Origin.UNRESOLVED)
    env = fns["Jobs/Worker"].environment
    assert (env["MODE"].value, env["MODE"].origin, env["MODE"].loc) == (
        "batch",
        Origin.SET,
        Loc(STACK, line(src, "MODE:")),
    )
    assert env["DEPLOY_KEY"].value == "dk_live_Q2hhbmdlTWVQbGVhc2U0MjQyNDI0Mg"
    assert env["DEPLOY_KEY"].loc == Loc(STACK, line(src, "DEPLOY_KEY:"))
    # a synthesised `Ref` to a template parameter of its own cannot be written in the lowered template
    assert (env["RELEASE"].origin, env["RELEASE"].loc) == (Origin.UNRESOLVED, Loc(STACK, line(src, "RELEASE:")))
    # not unknown in the source (a reference to the table): left as read, the synthesised Ref is not taken
    assert env["TABLE"].origin is Origin.UNRESOLVED
    assert {"cdk.out/manifest.json", TEMPLATE} <= out.consumed


def test_without_cdk_out_the_values_stay_unresolved(tmp_path: Path) -> None:
    out = load(copy_app(tmp_path, "synth-ts", with_out=False))
    assert out.errors == []
    fns = functions(out)
    assert fns["Jobs/Api"].runtime.origin is Origin.UNRESOLVED
    assert fns["Jobs/Worker"].environment["MODE"].origin is Origin.UNRESOLVED
    assert not any(c.startswith("cdk.out/") for c in out.consumed)


def test_output_setting_of_cdk_json_names_the_assembly(tmp_path: Path) -> None:
    app = copy_app(tmp_path, "synth-ts", with_out=True)
    (app / "build").mkdir()
    (app / "cdk.out").rename(app / "build" / "assembly")
    cdk_json = json.loads((app / "cdk.json").read_text())
    (app / "cdk.json").write_text(json.dumps({**cdk_json, "output": "build/assembly"}))
    fns = functions(load(app))
    assert fns["Jobs/Api"].runtime.value == "nodejs20.x"
    # an assembly outside the scanned folder is never read
    (app / "cdk.json").write_text(json.dumps({**cdk_json, "output": "../elsewhere"}))
    (app / "build" / "assembly").rename(tmp_path / "elsewhere")
    out = load(app)
    assert out.errors == []
    assert functions(out)["Jobs/Api"].runtime.origin is Origin.UNRESOLVED


def test_unreadable_manifest_is_said_and_the_source_still_read(tmp_path: Path) -> None:
    app = copy_app(tmp_path, "synth-ts", with_out=True)
    (app / "cdk.out" / "manifest.json").write_text("{not json")
    out = load(app)
    assert [(e.path, e.message.split(":")[0], e.loss) for e in out.errors] == [
        ("cdk.out/manifest.json", "cdk.out manifest not read", Loss.NONE)
    ]
    assert functions(out)["Jobs/Api"].runtime.origin is Origin.UNRESOLVED


def _props(**items: Any) -> LDict:
    d = LDict(1)
    for k, v in items.items():
        d[k] = v
        d.key_lines[k] = 1
    return d


def _lowered(props: LDict, cfn_type: str = "AWS::IAM::Policy") -> LDict:
    res = LDict(1)
    res.update({"Type": cfn_type, "Properties": props})
    resources = LDict(1)
    resources["S/P"] = res
    return resources


def _assembly(props: dict[str, Any], cfn_type: str = "AWS::IAM::Policy") -> Assembly:
    body = {"Type": cfn_type, "Properties": props, "Metadata": {"aws:cdk:path": "S/P/Resource"}}
    return Assembly(by_path={"S/P": Synthesised("t.json", "P1234", body)})


def test_list_items_are_filled_only_where_both_sides_agree() -> None:
    parameters = LDict(1)
    parameters["x"] = {"Type": "String"}
    unknown = {"Ref": "x"}
    stmts = LList(1)
    stmts.extend(
        [_props(Action="s3:GetObject", Resource=unknown), _props(Action=["sqs:SendMessage"], Resource=unknown)]
    )
    stmts.item_lines.extend([1, 1])
    resources = _lowered(_props(Statement=stmts))
    synth = {
        "Statement": [
            {"Action": "s3:PutObject", "Resource": "arn:a"},
            {"Action": "sqs:SendMessage", "Resource": "arn:b"},
        ]
    }
    done = fill(resources, parameters, _assembly(synth))
    # the first statement names another action: another statement; a one-item list is its item (as CDK writes it)
    assert [(f.resource, f.prop) for f in done] == [("S/P", "Statement[1].Resource")]
    assert stmts[0]["Resource"] == {"Ref": "x"} and stmts[1]["Resource"] == "arn:b"


def test_a_resource_of_another_type_or_a_reference_to_an_unmatched_resource_is_not_taken() -> None:
    parameters = LDict(1)
    parameters["x"] = {"Type": "String"}
    resources = _lowered(_props(Name={"Ref": "x"}), "AWS::SQS::Queue")
    assert fill(resources, parameters, _assembly({"Name": "q"}, "AWS::SNS::Topic")) == []
    resources = _lowered(_props(Name={"Ref": "x"}))
    assert fill(resources, parameters, _assembly({"Name": {"Fn::GetAtt": ["Other99", "Arn"]}})) == []
    assert fill(resources, parameters, _assembly({"Name": {"Fn::ImportValue": "Other:Export"}})) == []
    assert resources["S/P"]["Properties"]["Name"] == {"Ref": "x"}


def test_references_to_matched_resources_are_renamed_to_construct_paths() -> None:
    parameters = LDict(1)
    parameters["x"] = {"Type": "String"}
    resources = _lowered(_props(Name={"Ref": "x"}, Arn={"Ref": "x"}))
    resources["S/Q"] = _lowered(_props(), "AWS::SQS::Queue")["S/P"]
    assembly = _assembly({"Name": {"Ref": "Q5678"}, "Arn": {"Fn::GetAtt": "Q5678.Arn"}})
    body = {"Type": "AWS::SQS::Queue", "Metadata": {"aws:cdk:path": "S/Q/Resource"}}
    assembly.by_path["S/Q"] = Synthesised("t.json", "Q5678", body)
    done = fill(resources, parameters, assembly)
    assert [(f.prop, f.expression, f.template) for f in done] == [("Name", "x", "t.json"), ("Arn", "x", "t.json")]
    assert resources["S/P"]["Properties"]["Name"] == {"Ref": "S/Q"}
    assert resources["S/P"]["Properties"]["Arn"] == {"Fn::GetAtt": ["S/Q", "Arn"]}


def test_json_report_says_what_was_filled_without_the_values(tmp_path: Path) -> None:
    result = scan(FIX / "synth-ts")
    text = io.StringIO()
    render(result, Format.JSON, text)
    doc = json.loads(text.getvalue())
    jsonschema.Draft202012Validator(schema()).validate(doc)
    notes = [e for e in doc["errors"] if "is taken from cdk.out/" in e["message"]]
    assert [(e["path"], e["loss"], e["message"].split("`")[1]) for e in notes] == [
        (STACK, "none", "TableName"),
        (STACK, "none", "Runtime"),
        (STACK, "none", "Environment.Variables.MODE"),
        (STACK, "none", "Environment.Variables.DEPLOY_KEY"),
    ]
    assert "dk_live_" not in json.dumps(doc["errors"])
    assert {"path": "cdk.out", "reason": CDK_SYNTH_DIR} in doc["coverage"]["folders"]
    files = {f["path"]: f["state"] for f in doc["coverage"]["files"]}
    assert files["cdk.out/Jobs.template.json"] == files["cdk.out/manifest.json"] == "analysed"


# ---- ts-shop read from its source against a hand-checked synthesis of it ------------------------------------


def _synthesised_shop() -> dict[str, dict[str, Any]]:
    """The functions of the synthesised ts-shop, by construct path (the `aws:cdk:path` of the template)."""
    folder = FIX / "synth-shop" / "cdk.out"
    paths: dict[str, str] = {}
    for name in ("ShopData.template.json", "ShopApi.template.json"):
        for lid, body in json.loads((folder / name).read_text())["Resources"].items():
            paths[lid] = body["Metadata"]["aws:cdk:path"].removesuffix("/Resource")
    out = load(folder)
    assert out.errors == []
    return {paths[f.name]: _facts(f, paths) for app in out.apps for f in app.functions}


def _facts(f: Function, paths: dict[str, str] | None = None) -> dict[str, Any]:
    rename = paths or {}
    role = f.role
    return {
        "runtime": f.runtime.value,
        "handler": f.handler.value,
        "role": rename.get(role.id, role.id) if role is not None else None,
        "actions": sorted({a for s in role.statements for a in s.actions}) if role is not None else [],
        "managed": sorted(m.name for m in role.managed_policies) if role is not None else [],
        "triggers": sorted((t.kind.value, t.method, t.path, t.authorizer.kind.value) for t in f.triggers),
    }


def test_ts_shop_read_from_source_agrees_with_its_synthesis_but_for_known_gaps() -> None:
    static = {f.name: _facts(f) for f in functions(load(FIX / "ts-shop")).values()}
    synth = _synthesised_shop()
    assert sorted(static) == sorted(synth)
    gaps = sorted(
        (name, key, static[name][key], synth[name][key])
        for name in static
        for key in static[name]
        if static[name][key] != synth[name][key]
    )
    assert gaps == [
        # NodejsFunction: CDK bundles the entry to index.js; the source names the entry file, which the code
        # engine reads, so this difference is by design
        ("ShopApi/Notify", "handler", "api-stack.Notify.handler", "index.handler"),
        # NodejsFunction without `runtime`: CDK's default depends on a feature flag: unknown from source
        ("ShopApi/Notify", "runtime", None, "nodejs16.x"),
        ("ShopApi/Search", "handler", "search.main", "index.main"),
        # the synthesised side's gap: the queue is another stack's (`Fn::ImportValue`), so the template
        # alone cannot tell an SQS trigger; the source can
        ("ShopApi/Worker/Handler", "triggers", [("sqs", None, None, "none")], [("other", None, None, "none")]),
    ]


def test_ts_shop_with_its_cdk_out_fills_only_what_the_source_left_unknown(tmp_path: Path) -> None:
    app = copy_app(tmp_path, "ts-shop", with_out=False)
    shutil.copytree(FIX / "synth-shop" / "cdk.out", app / "cdk.out")
    out = load(app)
    api = "lib/api-stack.ts"
    notify = line(app / api, "new NodejsFunction(this, 'Notify')")
    build = line(app / api, "BUILD_ID:")
    tail = "known only by running the CDK app"
    # the expression as the source reader names it (what it makes of `?? 'dev'` is CDK-DEPTH's to say)
    unfilled = functions(load(FIX / "ts-shop"))["ShopApi/Orders"].environment["BUILD_ID"].ref
    assert unfilled is not None and unfilled.text.startswith("!Ref process.env.BUILD_ID")
    expression = unfilled.text.removeprefix("!Ref ")
    assert [(e.path, e.message, e.loss) for e in out.errors] == [
        (
            api,
            f"line {build}: `Environment.Variables.BUILD_ID` of ShopApi/Orders is taken from "
            f"cdk.out/ShopApi.template.json: the source gives `{expression}`, {tail}",
            Loss.NONE,
        ),
        (
            api,
            f"line {notify}: `Runtime` of ShopApi/Notify is taken from cdk.out/ShopApi.template.json: "
            f"the source gives `NodejsFunction default runtime`, {tail}",
            Loss.NONE,
        ),
    ]
    fns = functions(out)
    assert (fns["ShopApi/Notify"].runtime.value, fns["ShopApi/Notify"].runtime.loc) == ("nodejs16.x", Loc(api, notify))
    assert fns["ShopApi/Orders"].environment["BUILD_ID"].value == "dev"
    # everything else is as read from the source
    static = {f.name: _facts(f) for f in functions(load(FIX / "ts-shop")).values()}
    assert {n: _facts(f) for n, f in fns.items()} == {
        **static,
        "ShopApi/Notify": {**static["ShopApi/Notify"], "runtime": "nodejs16.x"},
    }
