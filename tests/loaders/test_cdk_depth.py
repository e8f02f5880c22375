"""CDK loader, the depth of what is read (issue 17): loops over known collections, conditionals with a known
test, the app's own functions and methods; a loop or a test that is not known is an `errors` entry at its
line, never a guess. Fixtures: tests/loaders/fixtures/cdk/depth-*, modelled on apps that make their
functions from a config list (TypeScript and Python twins)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fnaudit.errors import Loss, ScanError
from fnaudit.loaders import LoadOptions, LoadOutcome, ScanRoot, load_all
from fnaudit.model import Function, Loc, Origin

FIX = Path(__file__).parent / "fixtures" / "cdk"
TS = "lib/services-stack.ts"
PY = "services/stack.py"


def load(name: str) -> LoadOutcome:
    target = FIX / name
    outcome, _ = load_all(target, ScanRoot.of(target), LoadOptions())
    return outcome


def line(name: str, rel: str, text: str, nth: int = 1) -> int:
    hits = [i for i, x in enumerate((FIX / name / rel).read_text().splitlines(), start=1) if text in x]
    return hits[nth - 1]


def functions(outcome: LoadOutcome) -> dict[str, Function]:
    assert len(outcome.apps) == 1
    return {f.name: f for f in outcome.apps[0].functions}


def summary(fn: Function) -> tuple[object, object, object, int]:
    memory = fn.memory.value if fn.memory is not None else None
    return (fn.runtime.value if fn.runtime else None, fn.handler.value if fn.handler else None, memory, fn.loc.line)


def partial(rel: str, at: int, what: str) -> ScanError:
    message = f"line {at}: {what} in CDK source is not read; constructs it creates are not in the scan"
    return ScanError(rel, message, "load", Loss.PARTIAL)


def test_typescript_loops_conditionals_functions_and_methods() -> None:
    out = load("depth-ts")
    fns = functions(out)
    # one stack per stage (a loop in the entry), each with the functions of the config list, an
    # `Object.entries` loop, a `forEach` calling a method, a `map` calling a module function, one branch
    made = line("depth-ts", TS, "new lambda.Function(this, `Fn${fn.name}`")
    entry = line("depth-ts", TS, "new lambda.Function(this, name")
    gen = line("depth-ts", TS, "new lambda.Function(this, `Gen${name}`")
    worker = line("depth-ts", TS, "new lambda.Function(scope, `Worker${name}`")
    for stage, memory, branch in (("prod", (1024, 1024), "GenProdOnly"), ("dev", (512, 256), "GenDevOnly")):
        s = f"Services-{stage}"
        got = {k.removeprefix(s + "/"): summary(v) for k, v in fns.items() if k.startswith(s + "/")}
        branch_runtime = "python3.13" if stage == "prod" else "nodejs18.x"  # a default parameter when not passed
        assert got == {
            "FnOrders": ("python3.12", "index.orders", memory[0], made),
            "FnUsers": ("python3.12", "index.users", memory[1], made),
            "Audit": ("python3.11", "index.audit", None, entry),
            "Report": ("python3.11", "index.report", None, entry),
            "GenAlpha": ("nodejs18.x", "index.gen", None, gen),
            "GenBeta": ("nodejs18.x", "index.gen", None, gen),
            "WorkerSync": ("nodejs20.x", "index.worker", 128, worker),
            branch: (branch_runtime, "index.gen", None, gen),
        }
        # a grant in the loop body goes to the function of that iteration; one on what `map` returned too
        role = fns[f"{s}/FnUsers"].role
        assert role is not None
        assert [(st.actions[0], st.loc) for st in role.statements] == [
            ("dynamodb:BatchGetItem", Loc(TS, line("depth-ts", TS, "table.grantReadData(made)")))
        ]
        role = fns[f"{s}/WorkerSync"].role
        assert role is not None
        assert [(st.actions[0], st.loc) for st in role.statements] == [
            ("dynamodb:BatchWriteItem", Loc(TS, line("depth-ts", TS, "table.grantWriteData(w)")))
        ]
    assert fns["Services-prod/FnOrders"].code.handler_file == "lambda/index.py"
    assert out.errors == [
        partial(
            TS, line("depth-ts", TS, "for (const extra of"), "a loop over `this.node.tryGetContext(...)` (not known)"
        ),
        partial(
            TS,
            line("depth-ts", TS, "if (process.env.WITH_DEBUG)"),
            "a conditional on `process.env.WITH_DEBUG` (not known)",
        ),
        partial(TS, line("depth-ts", TS, "return forever(n + 1)"), "a call to `forever` nested more than 8 deep"),
    ]


def test_python_loops_conditionals_functions_and_methods() -> None:
    out = load("depth-py")
    fns = functions(out)
    made = line("depth-py", PY, "made = _lambda.Function(")
    entry = line("depth-py", PY, "self, name, runtime=_lambda.Runtime.PYTHON_3_11") - 1
    gen = line("depth-py", PY, 'self, f"Gen{name}"') - 1
    worker = line("depth-py", PY, "return _lambda.Function(")
    for stage, memory, branch in (("prod", (1024, 1024), "Genprod_only"), ("dev", (512, 256), "Gendev_only")):
        s = f"Services-{stage}"
        got = {k.removeprefix(s + "/"): summary(v) for k, v in fns.items() if k.startswith(s + "/")}
        branch_runtime = "python3.13" if stage == "prod" else "nodejs18.x"
        assert got == {
            "Fnorders": ("python3.12", "index.orders", memory[0], made),
            "Fnusers": ("python3.12", "index.users", memory[1], made),
            "audit": ("python3.11", "index.audit", None, entry),
            "report": ("python3.11", "index.report", None, entry),
            "Genalpha": ("nodejs18.x", "index.gen", None, gen),  # a list comprehension calling a method
            "Genbeta": ("nodejs18.x", "index.gen", None, gen),
            "Workersync": ("nodejs20.x", "index.worker", 1769, worker),  # a keyword-only argument passed
            branch: (branch_runtime, "index.gen", None, gen),
        }
        role = fns[f"{s}/Workersync"].role
        assert role is not None
        assert [(st.actions[0], st.loc) for st in role.statements] == [
            ("dynamodb:BatchWriteItem", Loc(PY, line("depth-py", PY, "table.grant_write_data(worker)")))
        ]
    assert fns["Services-dev/Fnorders"].code.handler_file == "functions/index.py"
    assert out.errors == [
        partial(PY, line("depth-py", PY, "for extra in"), "a loop over `this.node.tryGetContext(...)` (not known)"),
        partial(
            PY,
            line("depth-py", PY, 'if os.environ.get("WITH_DEBUG")'),
            "a conditional on `os.environ.get(...)` (not known)",
        ),
        partial(PY, line("depth-py", PY, "return forever(n + 1)"), "a call to `forever` nested more than 8 deep"),
    ]


def write_app(root: Path, source: str, *, python: bool = False) -> LoadOutcome:
    """A one-file app (the entry makes its stack and functions), loaded from `root`."""
    entry = "app.py" if python else "app.ts"
    (root / "cdk.json").write_text('{"app": "%s"}' % ("python3 app.py" if python else "npx ts-node app.ts"))
    (root / entry).write_text(source)
    outcome, _ = load_all(root, ScanRoot.of(root), LoadOptions())
    return outcome


TS_HEAD = """import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
const app = new cdk.App();
const stack = new cdk.Stack(app, 'S');
const fn = (id: string) => new lambda.Function(stack, id, {
  runtime: lambda.Runtime.PYTHON_3_12, handler: 'index.handler', code: lambda.Code.fromInline('x') });
"""
PY_HEAD = """import aws_cdk as cdk
from aws_cdk import aws_lambda as _lambda
app = cdk.App()
stack = cdk.Stack(app, "S")
def fn(id, runtime=_lambda.Runtime.PYTHON_3_12):
    return _lambda.Function(stack, id, runtime=runtime, handler="index.handler", code=_lambda.Code.from_inline("x"))
"""


def names(out: LoadOutcome) -> list[str]:
    return sorted(f.name for a in out.apps for f in a.functions)


def test_a_loop_reads_at_most_200_items_and_says_so(tmp_path: Path) -> None:
    ids = ", ".join(f"'F{i:03}'" for i in range(250))
    out = write_app(tmp_path, TS_HEAD + f"for (const id of [{ids}]) {{\n  fn(id);\n}}\n")
    assert names(out) == [f"S/F{i:03}" for i in range(200)]
    assert out.errors == [partial("app.ts", 7, "a loop over more than 200 items (the first 200 are read)")]


def test_typescript_unknown_foreach_ternary_keys_and_statements_not_read(tmp_path: Path) -> None:
    source = TS_HEAD + (
        "stack.node.tryGetContext('ids').forEach((id: string) => fn(id));\n"  # 7: unknown collection
        "const picked = stack.node.tryGetContext('x') ? fn('A') : fn('B');\n"  # 8: unknown test, neither made
        "for (const k in { K1: 1, K2: 2 }) { fn(k); }\n"  # 9: `for ... in`: the keys
        "if ([]) { fn('EmptyArrayIsTrue'); }\n"  # 10: JavaScript truthiness
        "while (true) { fn('W'); }\n"  # 11
        "try { fn('T'); } catch (e) {}\n"  # 12
        "function first(ids: string[]) { for (const id of ids) { return fn(id); } return fn('Never'); }\n"
        "first(['R1', 'R2']);\n"  # a `return` in a loop ends the function
        "const c = { ids: ['Q'] };\n"
        "for (const id of c['ids']) { fn(`Sub${id}`); }\n"  # a subscript with a string
    )
    out = write_app(tmp_path, source)
    assert names(out) == ["S/EmptyArrayIsTrue", "S/K1", "S/K2", "S/R1", "S/SubQ"]
    assert out.errors == [
        partial("app.ts", 7, "a loop over `stack.node.tryGetContext(...)` (not known)"),
        partial("app.ts", 11, "a loop"),
        partial("app.ts", 12, "a try block"),
    ]


def test_python_unknown_comprehension_truthiness_and_statements_not_read(tmp_path: Path) -> None:
    source = PY_HEAD + (
        "made = [fn(i) for i in stack.node.try_get_context('ids')]\n"  # 7: unknown collection
        "if []:\n"  # 8: Python truthiness: an empty list is false
        "    fn('EmptyListIsFalse')\n"
        "else:\n"
        "    fn('Else')\n"
        "for k in {'K1': 1}:\n"  # 12: the keys
        "    fn(k)\n"
        "while True:\n"  # 14
        "    fn('W')\n"
        "with open('x') as f:\n"  # 16
        "    fn('With')\n"
        "fn(id='Kw', runtime=_lambda.Runtime.PYTHON_3_13)\n"
        "flag = None\n"
        "if flag is None and not flag:\n"
        "    fn('IsNone')\n"
    )
    out = write_app(tmp_path, source, python=True)
    assert names(out) == ["S/Else", "S/IsNone", "S/K1", "S/Kw"]
    runtimes = {f.name: f.runtime.value for f in out.apps[0].functions if f.runtime is not None}
    assert runtimes["S/Kw"] == "python3.13" and runtimes["S/K1"] == "python3.12"
    assert out.errors == [
        partial("app.py", 7, "a loop over `stack.node.tryGetContext(...)` (not known)"),
        partial("app.py", 14, "a loop"),
        partial("app.py", 16, "a with block"),
    ]


@pytest.mark.parametrize("python", [False, True])
def test_an_unknown_ternary_is_an_unresolved_value_not_a_branch(tmp_path: Path, python: bool) -> None:
    if python:
        source = PY_HEAD + "fn('T', runtime=_lambda.Runtime.PYTHON_3_11 if stack.node.try_get_context('a') else None)\n"
    else:
        source = TS_HEAD.replace(
            "runtime: lambda.Runtime.PYTHON_3_12",
            "runtime: stack.node.tryGetContext('a') ? lambda.Runtime.PYTHON_3_11 : lambda.Runtime.PYTHON_3_12",
        )
        source += "fn('T');\n"
    out = write_app(tmp_path, source, python=python)
    (f,) = out.apps[0].functions
    assert f.name == "S/T" and f.runtime is not None
    assert (f.runtime.value, f.runtime.origin) == (None, Origin.UNRESOLVED)  # shown as unresolved, not guessed
    assert f.runtime.ref is not None and f.runtime.ref.text.startswith("!Ref stack.node.tryGetContext(...) ? ")
    assert out.errors == []


def test_python_config_list_of_dict_calls_with_enumerate_and_range(tmp_path: Path) -> None:
    source = PY_HEAD + (
        "CONFIG = [dict(name='orders', memory_size=512), dict(name='users', memory_size=256)]\n"
        "for i, cfg in enumerate(CONFIG):\n"
        "    made = fn(f\"{i}-{cfg['name']}\")\n"
        "    made.add_environment('MEMORY', str(cfg['memory_size']))\n"
        "for n in range(2):\n"
        "    fn(f'R{n}')\n"
        'fn(f"Count{len(CONFIG)}")\n'
    )
    out = write_app(tmp_path, source, python=True)
    assert names(out) == ["S/0-orders", "S/1-users", "S/Count2", "S/R0", "S/R1"]
    assert out.errors == []


def test_all_loops_together_stop_at_5000_items(tmp_path: Path) -> None:
    ids = ", ".join(f"'I{i}'" for i in range(100))
    source = TS_HEAD + (
        f"const ids = [{ids}];\n"  # 7
        "for (const a of ids) {\n"  # 8: 100 items
        "  for (const b of ids) {\n"  # 9: 100 x 100 would be 10 000: the 50th outer item's loop stops
        "    new cdk.CfnOutput(stack, `O${a}${b}`, { value: 'x' });\n"
        "  }\n"
        "}\n"
        "fn('After');\n"
    )
    out = write_app(tmp_path, source)
    assert names(out) == ["S/After"]
    assert out.errors == [partial("app.ts", 9, "a loop past 5000 items in all the app's loops")]


def test_typescript_inherited_method_constructor_default_and_field_from_a_method(tmp_path: Path) -> None:
    source = """import * as cdk from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
class Base extends cdk.Stack {
  protected mk(id: string, { memory = 256, runtime }: { memory?: number; runtime: lambda.Runtime }) {
    this.last = new lambda.Function(this, id, { runtime, memorySize: memory, handler: 'i.h',
      code: lambda.Code.fromInline('x') });
    return this.last;
  }
}
class Child extends Base {
  constructor(scope: cdk.App, id: string, stage = 'dev') {
    super(scope, id);
    const made = this.mk(stage === 'dev' ? 'DevFn' : 'ProdFn', { runtime: lambda.Runtime.NODEJS_22_X });
    made.addEnvironment('STAGE', stage);
    this.last.addEnvironment('LAST', 'yes');
  }
}
const app = new cdk.App();
new Child(app, 'C');
"""
    out = write_app(tmp_path, source)
    (f,) = out.apps[0].functions
    assert (f.name, f.loc, f.runtime.value if f.runtime else None) == ("C/DevFn", Loc("app.ts", 5), "nodejs22.x")
    assert f.memory is not None and f.memory.value == 256  # a default inside a destructured parameter
    assert {k: (v.value, v.loc.line) for k, v in f.environment.items()} == {"STAGE": ("dev", 14), "LAST": ("yes", 15)}
    assert out.errors == []


def test_a_list_grown_by_push_is_read_where_it_runs_and_unknown_where_it_does_not(tmp_path: Path) -> None:
    (tmp_path / "config.ts").write_text(
        "export const OTHER = [{ name: 'X' }];\n"
        "if (process.env.MORE) { OTHER.push({ name: 'Y' }); }\n"  # not run (a module read for its names)
    )
    source = TS_HEAD + (
        "import { OTHER } from './config';\n"  # 7
        "const fns = [{ name: 'A' }];\n"
        "fns.push({ name: 'B' }, { name: 'C' });\n"
        "for (const f of fns) { fn(f.name); }\n"  # 10
        "class Late extends cdk.Stack {\n"
        "  constructor(scope: cdk.App, id: string) { super(scope, id); for (const f of fns) { fn(`L${f.name}`); } }\n"
        "}\n"
        "new Late(app, 'Late');\n"
        "for (const f of OTHER) { fn(f.name); }\n"  # 15
    )
    out = write_app(tmp_path, source)
    assert names(out) == ["S/A", "S/B", "S/C", "S/LA", "S/LB", "S/LC"]
    assert out.errors == [partial("app.ts", 15, "a loop over `OTHER` (not known)")]


def test_pseudo_parameters_in_template_strings_are_cloudformation_tokens(tmp_path: Path) -> None:
    source = TS_HEAD.replace("const fn = ", "const f = ") + (
        "import * as iam from 'aws-cdk-lib/aws-iam';\n"  # 7
        "class S2 extends cdk.Stack {\n"
        "  constructor(scope: cdk.App, id: string) {\n"
        "    super(scope, id);\n"
        "    const made = new lambda.Function(this, 'F', { runtime: lambda.Runtime.PYTHON_3_12, handler: 'i.h',\n"
        "      code: lambda.Code.fromInline('x') });\n"
        "    made.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'],\n"
        "      resources: [`arn:aws:sqs:${cdk.Aws.REGION}:${this.account}:q-${made.functionName}`,\n"
        "        `arn:aws:sqs:${this.region}:*:x`] }));\n"
        "  }\n"
        "}\n"
        "new S2(app, 'S2');\n"
    )
    out = write_app(tmp_path, source)
    (f,) = out.apps[0].functions
    role = f.role
    assert role is not None
    assert [st.resources for st in role.statements] == [
        # a join with a resource's name (`Fn::Join`, as the model shows joins), pseudo parameters alone: `Fn::Sub`
        ("arn:aws:sqs:!Ref AWS::Region:!Ref AWS::AccountId:q-!Ref S2/F", "!Sub arn:aws:sqs:${AWS::Region}:*:x"),
    ]


@pytest.mark.parametrize("python", [False, True])
def test_a_static_method_of_the_apps_class(tmp_path: Path, python: bool) -> None:
    if python:
        source = PY_HEAD + (
            "class Helpers:\n"
            "    @staticmethod\n"
            "    def make(name):\n"
            "        return fn(f'Static{name}')\n"
            "Helpers.make('A')\n"
        )
    else:
        source = TS_HEAD + "class Helpers {\n  static make(name: string) { return fn(`Static${name}`); }\n}\n"
        source += "Helpers.make('A');\n"
    out = write_app(tmp_path, source, python=python)
    assert names(out) == ["S/StaticA"]
    assert out.errors == []
