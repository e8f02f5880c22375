"""IAM engine benchmark: catalogue load (cold and warm) and effective permissions for many functions.

Figures, not assertions (nothing here runs in the test suite).

    .venv/bin/python bench/iam_engine.py                       # 1,000 functions x 10 statements
    .venv/bin/python bench/iam_engine.py --functions 5000 --statements 10 --repeat 5

Catalogue: each measurement runs in a fresh subprocess with `FNAUDIT_CACHE_DIR` pointing at a
temporary folder: "cold" builds the index from the shipped IAM data snapshot (fnaudit/data/iam-data.json.gz)
and writes the cache; "warm" reads the cache. The time is `catalogue.load()` only
(interpreter start-up and imports excluded), median of `--repeat`.

Effective permissions: an in-memory App of N functions, each with its own role of S statements drawn
from a realistic mix (scoped reads and writes on the app's tables and buckets, `s3:Get*`-style
wildcards, `*` resources, a NotAction, a conditional statement, a Deny, AWS managed policies by ARN,
PassRole + lambda:CreateFunction escalation paths), then `fnaudit.engines.iam.enrich(app)`: grants,
Deny, boundary, escalation, blast radius. Warm catalogue; median of `--repeat`.

One large role (`--one-role N`): a single function whose role has N Allow statements on distinct
resources (exact actions, `service:Get*`-style wildcards, a few `*` grants) and `--denies D` Deny
statements on narrow resources, so that every Deny splits grants instead of wiping them. This is the
shape that made evaluation quadratic in the statements (each Deny looked at every grant, and each IAM
rule looked at every grant for every statement); the IAM rules are timed on the enriched app too:

    .venv/bin/python bench/iam_engine.py --one-role 1000 --denies 0
    .venv/bin/python bench/iam_engine.py --one-role 10000 --denies 2000
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(REPO / "src"))

_LOAD = (
    "import time, sys; from fnaudit.engines.iam import catalogue as c; t = time.perf_counter(); cat = c.load(); "
    "d = time.perf_counter() - t; print(cat.source, d, len(cat.all_actions()), len(list(cat.managed_names())))"
)


def catalogue_figures(repeat: int) -> None:
    cold, warm = [], []
    info = ""
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "FNAUDIT_CACHE_DIR": tmp}
            for bucket in (cold, warm):
                out = subprocess.run([sys.executable, "-c", _LOAD], env=env, capture_output=True, text=True, check=True)
                _source, seconds, actions, policies = out.stdout.split()
                bucket.append(float(seconds))
                info = f"{actions} actions, {policies} AWS managed policies"
            size = sum(p.stat().st_size for p in Path(tmp).glob("iam-index-*"))
    print(f"catalogue: {info}; index on disk {size / 1e6:.1f} MB")
    print(f"  cold load (parse sources, build index, write cache): {statistics.median(cold) * 1000:8.1f} ms")
    print(f"  warm load (read cache):                               {statistics.median(warm) * 1000:8.1f} ms")


def synthetic_app(functions: int, statements: int, seed: int = 7):  # type: ignore[no-untyped-def]
    from fnaudit.model import (
        App,
        Code,
        Dialect,
        Effect,
        Function,
        Loc,
        ManagedPolicy,
        Resource,
        Role,
        Statement,
        Value,
    )

    rnd = random.Random(seed)
    resources = {}
    for i in range(50):
        resources[f"Table{i}"] = Resource(f"Table{i}", "AWS::DynamoDB::Table", Loc("t.yml", 1), {"TableName": f"t{i}"})
        resources[f"Bucket{i}"] = Resource(f"Bucket{i}", "AWS::S3::Bucket", Loc("t.yml", 1), {})
    shapes = [
        lambda i: dict(actions=("dynamodb:GetItem", "dynamodb:Query"), resources=(f"!GetAtt Table{i % 50}.Arn",)),
        lambda i: dict(actions=("dynamodb:*Item",), resources=(f"!GetAtt Table{i % 50}.Arn",)),
        lambda i: dict(actions=("s3:Get*",), resources=(f"!Sub arn:${{AWS::Partition}}:s3:::${{Bucket{i % 50}}}/*",)),
        lambda i: dict(actions=("s3:PutObject",), resources=("*",)),
        lambda i: dict(actions=("sqs:SendMessage", "sns:Publish"), resources=("*",)),
        lambda i: dict(actions=("xray:PutTraceSegments", "xray:PutTelemetryRecords"), resources=("*",)),
        lambda i: dict(actions=("secretsmanager:GetSecretValue",), resources=("*",), conditional=True),
        lambda i: dict(actions=("iam:PassRole", "lambda:CreateFunction", "lambda:InvokeFunction"), resources=("*",)),
        lambda i: dict(not_actions=("iam:*", "organizations:*"), resources=("*",)),
        lambda i: dict(actions=("s3:Delete*",), resources=("*",), effect=Effect.DENY),
        lambda i: dict(actions=("kms:Decrypt", "kms:GenerateDataKey"), resources=("*",)),
        lambda i: dict(actions=("ec2:*NetworkInterface*",), resources=("*",)),
    ]
    weights = [6, 3, 4, 2, 2, 2, 1, 1, 0.2, 1, 2, 1]
    managed = [
        "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
        "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
    ]
    fns = []
    for f in range(functions):
        sts = []
        for s in range(statements):
            shape = rnd.choices(shapes, weights)[0](f + s)
            conditional = shape.pop("conditional", False)
            sts.append(
                Statement(
                    shape.pop("effect", Effect.ALLOW),
                    Loc("t.yml", s + 2),
                    shape.get("actions", ()),
                    shape.get("not_actions", ()),
                    shape["resources"],
                    (),
                    conditional,
                    source=f"Role{f}[{s}]",
                )
            )
        mps = tuple(ManagedPolicy(m, Loc("t.yml", 1)) for m in rnd.sample(managed, rnd.randint(0, 2)))
        role = Role(f"Role{f}", Loc("t.yml", 1), tuple(sts), mps)
        fns.append(
            Function(
                id=f"t.yml#fn{f}",
                name=f"fn{f}",
                loc=Loc("t.yml", 1),
                runtime=Value("python3.13", Loc("t.yml", 1)),
                handler=Value("h.main", Loc("t.yml", 1)),
                code=Code("python", True),
                role=role,
            )
        )
    return App(
        "bench",
        Dialect.CLOUDFORMATION,
        "",
        "t.yml",
        functions=tuple(fns),
        resources=resources,
        roles={f.role.id: f.role for f in fns if f.role is not None},
    )


def one_role_app(statements: int, denies: int, seed: int = 11):  # type: ignore[no-untyped-def]
    from fnaudit.model import (
        App,
        Code,
        Dialect,
        Effect,
        Function,
        Loc,
        Role,
        Statement,
        Value,
    )

    rnd = random.Random(seed)
    exact = [
        "s3:GetObject",
        "s3:PutObject",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "sqs:SendMessage",
        "sns:Publish",
        "kms:Decrypt",
        "lambda:InvokeFunction",
        "ssm:GetParameter",
        "secretsmanager:GetSecretValue",
        "iam:PassRole",
        "logs:PutLogEvents",
        "states:StartExecution",
        "events:PutEvents",
    ]
    wild = ["s3:Get*", "dynamodb:*Item", "ec2:Describe*", "sqs:*", "kinesis:Put*"]

    def resource(i: int) -> str:
        return rnd.choice(
            [
                f"arn:aws:s3:::bucket{i}/*",
                f"arn:aws:dynamodb:eu-west-1:123456789012:table/t{i}",
                f"arn:aws:sqs:eu-west-1:123456789012:q{i}",
                f"arn:aws:lambda:eu-west-1:123456789012:function:f{i}",
            ]
        )

    sts = []
    for i in range(statements):
        if i % 200 == 0:
            actions, res = (rnd.choice(["*", "s3:*", "*:Describe*"]),), "*"
        else:
            actions, res = tuple(rnd.sample(exact, 2)) + (rnd.choice(wild),) * (i % 3 == 0), resource(i)
        sts.append(Statement(Effect.ALLOW, Loc("t.yml", i + 2), actions, (), (res,), (), i % 17 == 0, source=f"R[{i}]"))
    for j in range(denies):
        actions = (rnd.choice(exact),) if j % 4 else (rnd.choice(wild),)
        sts.append(
            Statement(
                Effect.DENY,
                Loc("t.yml", statements + j + 2),
                actions,
                (),
                (resource(j),),
                (),
                source=f"R[{statements + j}]",
            )
        )
    role = Role("R", Loc("t.yml", 1), tuple(sts))
    fn = Function(
        id="t.yml#fn",
        name="fn",
        loc=Loc("t.yml", 1),
        runtime=Value("python3.13", Loc("t.yml", 1)),
        handler=Value("h.main", Loc("t.yml", 1)),
        code=Code("python", True),
        role=role,
    )
    return App("bench", Dialect.CLOUDFORMATION, "", "t.yml", functions=(fn,), resources={}, roles={"R": role})


def one_role_figures(statements: int, denies: int, repeat: int) -> None:
    from fnaudit.engines import iam
    from fnaudit.engines.iam import catalogue

    catalogue.load()
    app = one_role_app(statements, denies)
    times = []
    out = app
    for _ in range(repeat):
        started = time.perf_counter()
        out, _errors = iam.enrich(app)
        times.append(time.perf_counter() - started)
    perms = out.functions[0].permissions
    grants = len(perms.grants) if perms else 0
    print(
        f"one role: {statements} Allow + {denies} Deny statements: enrich {statistics.median(times) * 1000:8.1f} ms "
        f"(median of {repeat}); {grants} grants"
    )
    # the IAM rules on the enriched app: each asks what every statement still grants
    from fnaudit.rules.registry import Context, all_rules

    rules = [r for r in all_rules() if r.code.startswith("IAM")]
    rule_times, hits = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        hits = sum(1 for r in rules for _hit in r.check(out, Context()))
        rule_times.append(time.perf_counter() - started)
    print(f"  IAM rules: {statistics.median(rule_times) * 1000:8.1f} ms (median of {repeat}); {hits} hits")


def engine_figures(functions: int, statements: int, repeat: int) -> None:
    from fnaudit.engines import iam
    from fnaudit.engines.iam import catalogue

    catalogue.load()  # warm, as in a scan
    app = synthetic_app(functions, statements)
    times = []
    out = app
    for _ in range(repeat):
        catalogue.reset()
        catalogue.load()
        started = time.perf_counter()
        out, errors = iam.enrich(app)
        times.append(time.perf_counter() - started)
        assert not errors
    grants = sum(len(f.permissions.grants) for f in out.functions if f.permissions)
    escal = sum(len(f.permissions.escalations) for f in out.functions if f.permissions)
    scores = sorted(f.blast_radius.score for f in out.functions if f.blast_radius)
    med = statistics.median(times)
    print(f"effective permissions: {functions} functions x {statements} statements (+ AWS managed policies)")
    print(
        f"  enrich (grants, Deny, escalation, blast radius): {med * 1000:8.1f} ms "
        f"({med / functions * 1e6:.0f} µs per function; median of {repeat}, first run {times[0] * 1000:.0f} ms)"
    )
    print(
        f"  {grants} grants, {escal} escalation paths, blast radius scores "
        f"min {scores[0]} / median {scores[len(scores) // 2]} / max {scores[-1]}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--functions", type=int, default=1000)
    ap.add_argument("--statements", type=int, default=10)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--one-role", type=int, default=0, metavar="N", help="one role with N Allow statements instead")
    ap.add_argument("--denies", type=int, default=0, help="Deny statements in the --one-role role")
    args = ap.parse_args()
    if args.one_role:
        one_role_figures(args.one_role, args.denies, args.repeat)
        return 0
    catalogue_figures(args.repeat)
    engine_figures(args.functions, args.statements, args.repeat)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
