"""Regenerate `src/fnaudit/data/cdk_grants.json`, the grant table of the CDK loader, from aws-cdk-lib itself.

Run by hand (needs Node.js and npm, and the npm registry):

    python tools/gen_cdk_grants.py                # the latest aws-cdk-lib 2.x
    python tools/gen_cdk_grants.py 2.278.0        # a given version

What it does: installs `aws-cdk-lib@<version>` and `constructs@10` into a throwaway folder, and runs there a
small probe (below) that, for each construct class of `CLASSES`, makes the construct in a fresh stack (once
plain, once encrypted with a customer-managed KMS key where the construct takes one), calls each of its grant
methods that takes a grantee (`grantReadData(role)`...) with a role, synthesises, and prints the statements
CDK wrote on the role. The grant methods of aws-cdk-lib are compiled, minified JavaScript that delegates to
per-service `*Grants` classes and action constants (`aws-dynamodb/lib/perms.js`, `table-grants.js`,
`aws-s3/lib/bucket-grants.js`, `aws-sns/lib/sns-grants.generated.js`...); observing what the library writes
for a fixed input is exact where reading that code would be a guess. Only trusted library code is run, on
constructs this script makes; nothing of a scanned app is ever executed.

It then keeps the facts only: per class and method, each statement's actions and the shape of its resources
(`arn`, `arn/*` for a bucket's objects, `arn/index/*` for a table's indexes, `arn:*` for a function's
versions, `stream` for a table's stream ARN, `executions` for a state machine's executions, `*`), and the
KMS actions granted on the key when the resource is encrypted. No aws-cdk-lib code is copied: the file names
the package, its version, its licence (Apache-2.0; its text is written to
`fnaudit/data/licenses/aws-cdk-lib-LICENSE.txt`) and the date. A resource shape it does not know stops it
(ValueError): teach `shape()` rather than guess. After regenerating, review the JSON's diff and update the
exact statements of tests/loaders/test_cdk_grants.py. Methods that take the actions as arguments (`grant`,
`grantOnKey`, `grantExecution`, `grantStream`) have nothing fixed to extract and are left out; methods that
fail on a bare grantee are listed under `skipped`.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "src" / "fnaudit" / "data"
OUT = DATA / "cdk_grants.json"
LICENCE = DATA / "licenses" / "aws-cdk-lib-LICENSE.txt"

# construct class (service folder of aws-cdk-lib + class) → the kind the loader gives it (loaders/cdk)
CLASSES = {
    "aws-dynamodb.Table": "table",
    "aws-dynamodb.TableV2": "table",
    "aws-s3.Bucket": "bucket",
    "aws-sqs.Queue": "queue",
    "aws-sns.Topic": "topic",
    "aws-secretsmanager.Secret": "secret",
    "aws-kinesis.Stream": "stream",
    "aws-lambda.Function": "function",
    "aws-stepfunctions.StateMachine": "statemachine",
    "aws-events.EventBus": "eventbus",
    "aws-kms.Key": "key",
    "aws-ssm.StringParameter": "parameter",
    "aws-logs.LogGroup": "loggroup",
    "aws-ecr.Repository": "repository",
}

PROBE = r"""// Probe: for each construct class, call each grant* method taking a grantee on a fresh stack with a role
// as grantee, synthesise, and print the role's policy statements (and the logical ids to classify them).
const cdk = require('aws-cdk-lib');
const { Stack, App } = cdk;
const iam = require('aws-cdk-lib/aws-iam');
const kms = require('aws-cdk-lib/aws-kms');
const ddb = require('aws-cdk-lib/aws-dynamodb');
const s3 = require('aws-cdk-lib/aws-s3');
const sqs = require('aws-cdk-lib/aws-sqs');
const sns = require('aws-cdk-lib/aws-sns');
const sm = require('aws-cdk-lib/aws-secretsmanager');
const kinesis = require('aws-cdk-lib/aws-kinesis');
const lambda = require('aws-cdk-lib/aws-lambda');
const sfn = require('aws-cdk-lib/aws-stepfunctions');
const events = require('aws-cdk-lib/aws-events');
const ssm = require('aws-cdk-lib/aws-ssm');
const logs = require('aws-cdk-lib/aws-logs');
const ecr = require('aws-cdk-lib/aws-ecr');

const OUTDIR = process.argv[2];
const pk = { name: 'pk', type: ddb.AttributeType.STRING };
// class → (scope, key or null) → construct
const MAKERS = {
  'aws-dynamodb.Table': (s, key) => {
    const t = new ddb.Table(s, 'R', Object.assign({ partitionKey: pk, stream: ddb.StreamViewType.NEW_IMAGE },
      key ? { encryption: ddb.TableEncryption.CUSTOMER_MANAGED, encryptionKey: key } : {}));
    t.addGlobalSecondaryIndex({ indexName: 'idx', partitionKey: { name: 'g', type: ddb.AttributeType.STRING } });
    return t;
  },
  'aws-dynamodb.TableV2': (s, key) => new ddb.TableV2(s, 'R', Object.assign({ partitionKey: pk,
    dynamoStream: ddb.StreamViewType.NEW_IMAGE,
    globalSecondaryIndexes: [{ indexName: 'idx', partitionKey: { name: 'g', type: ddb.AttributeType.STRING } }] },
    key ? { encryption: ddb.TableEncryptionV2.customerManagedKey(key) } : {})),
  'aws-s3.Bucket': (s, key) => new s3.Bucket(s, 'R', key ? { encryptionKey: key } : {}),
  'aws-sqs.Queue': (s, key) => new sqs.Queue(s, 'R', key ? { encryptionMasterKey: key } : {}),
  'aws-sns.Topic': (s, key) => new sns.Topic(s, 'R', key ? { masterKey: key } : {}),
  'aws-secretsmanager.Secret': (s, key) => new sm.Secret(s, 'R', key ? { encryptionKey: key } : {}),
  'aws-kinesis.Stream': (s, key) => new kinesis.Stream(s, 'R',
    key ? { encryption: kinesis.StreamEncryption.KMS, encryptionKey: key } : {}),
  'aws-lambda.Function': (s, key) => key ? null : new lambda.Function(s, 'R', { runtime: lambda.Runtime.NODEJS_20_X,
    handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = 1') }),
  'aws-stepfunctions.StateMachine': (s, key) => key ? null : new sfn.StateMachine(s, 'R', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(s, 'P')) }),
  'aws-events.EventBus': (s, key) => key ? null : new events.EventBus(s, 'R'),
  'aws-kms.Key': (s, key) => key ? null : new kms.Key(s, 'R'),
  'aws-ssm.StringParameter': (s, key) => key ? null : new ssm.StringParameter(s, 'R', { stringValue: 'v' }),
  'aws-logs.LogGroup': (s, key) => new logs.LogGroup(s, 'R', key ? { encryptionKey: key } : {}),
  'aws-ecr.Repository': (s, key) => new ecr.Repository(s, 'R',
    key ? { encryption: ecr.RepositoryEncryption.KMS, encryptionKey: key } : {}),
};

// grant methods that take the actions as arguments: nothing fixed to extract
const GENERIC = new Set(['grantOnKey', 'grantExecution', 'grantInvokeCompositePrincipal', 'grantStream']);

function methods(obj) {
  const names = new Set();
  for (let p = Object.getPrototypeOf(obj); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    for (const n of Object.getOwnPropertyNames(p)) {
      if (!/^grant[A-Z]/.test(n) || GENERIC.has(n)) continue;  // (other names may be throwing getters)
      // a grantee first, at most one more (optional) parameter
      const arity = typeof obj[n] === 'function' ? obj[n].length : 0;
      if (arity >= 1 && arity <= 2) names.add(n);
    }
  }
  return [...names].sort();
}

function run(cls, encrypted, method) {
  const app = new App({ outdir: OUTDIR });
  const s = new Stack(app, 'S', { env: { account: '111111111111', region: 'us-east-1' } });
  const key = encrypted ? new kms.Key(s, 'K') : null;
  const r = MAKERS[cls](s, key);
  if (r === null) return null;
  if (method === null) return methods(r);
  const role = new iam.Role(s, 'G', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  try { r[method](role); } catch (e) { return { error: String(e.message || e).slice(0, 200) }; }
  let tpl;
  try {
    tpl = app.synth().getStackByName('S').template;
  } catch (e) {
    return { error: String(e.message || e).slice(0, 200) };
  }
  const ids = { resource: s.getLogicalId(r.node.defaultChild), key: key ? s.getLogicalId(key.node.defaultChild) : null,
    role: s.getLogicalId(role.node.defaultChild) };
  const statements = [];
  for (const res of Object.values(tpl.Resources)) {
    if (res.Type === 'AWS::IAM::Policy' && JSON.stringify(res.Properties.Roles).includes(ids.role)) {
      statements.push(...res.Properties.PolicyDocument.Statement);
    }
  }
  return { ids, statements };
}

const pkg = require('aws-cdk-lib/package.json');
const out = { version: pkg.version, license: pkg.license, classes: {} };
for (const cls of Object.keys(MAKERS)) {
  const entry = { methods: {} };
  for (const m of run(cls, false, null)) {
    entry.methods[m] = { plain: run(cls, false, m), encrypted: run(cls, true, m) };
  }
  out.classes[cls] = entry;
}
process.stdout.write(JSON.stringify(out, null, 1));
"""


def _licence(package: Path) -> None:
    """The package's Apache-2.0 licence, headed by its NOTICE's copyright line, beside the other data licences."""
    notice = package.joinpath("NOTICE").read_text(encoding="utf-8").split("\n\n", 1)[0].strip()
    text = f"{notice}\n\n{package.joinpath('LICENSE').read_text(encoding='utf-8')}"
    LICENCE.write_text(text, encoding="utf-8")


def _run(version: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cdk-grants-") as tmp:
        work = Path(tmp)
        (work / "package.json").write_text('{"name": "probe", "private": true}', encoding="utf-8")
        npm = [
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
            f"aws-cdk-lib@{version}",
            "constructs@10",
        ]
        subprocess.run(npm, cwd=work, check=True, capture_output=True)
        _licence(work / "node_modules" / "aws-cdk-lib")
        (work / "probe.js").write_text(PROBE, encoding="utf-8")
        done = subprocess.run(["node", "probe.js", str(work / "out")], cwd=work, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"the probe failed:\n{done.stderr[-3000:]}")
        raw: dict[str, Any] = json.loads(done.stdout)
        return raw


def _arn_forms(rid: str) -> list[Any]:
    return [{"Fn::GetAtt": [rid, "Arn"]}, {"Ref": rid}]


def shape(res: Any, rid: str) -> str:
    """The shape of one statement resource, relative to the resource `rid` (its logical id)."""
    if res == "*":
        return "*"
    if res in _arn_forms(rid):
        return "arn"
    if res == {"Fn::GetAtt": [rid, "StreamArn"]}:
        return "stream"
    if isinstance(res, dict) and "Fn::Join" in res:
        parts = res["Fn::Join"][1]
        if len(parts) == 2 and parts[0] in _arn_forms(rid) and isinstance(parts[1], str):
            return "arn" + parts[1]  # arn/*, arn/index/*, arn:*, arn:$LATEST
        text = json.dumps(parts)
        if ":execution:" in text:
            return "executions"
        if json.dumps({"Ref": rid}) in text:
            return "arn"  # the ARN spelt out around the resource's name (SSM parameter, log group)
    raise ValueError(f"unknown resource shape {res!r}")


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _statements(run: dict[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """The statements on the resource itself (actions, resource shapes), and the actions on the KMS key."""
    rid, key = run["ids"]["resource"], run["ids"]["key"]
    stmts: list[dict[str, Any]] = []
    key_actions: list[str] = []
    for s in run["statements"]:
        resources = _listed(s["Resource"])
        actions = _listed(s["Action"])
        if key is not None and resources == [{"Fn::GetAtt": [key, "Arn"]}]:
            key_actions += [a for a in actions if a not in key_actions]
            continue
        entry: dict[str, Any] = {"actions": actions, "resources": list(dict.fromkeys(shape(r, rid) for r in resources))}
        if "Condition" in s:
            entry["condition"] = s["Condition"]
        stmts.append(entry)
    return stmts, key_actions


def build(raw: dict[str, Any], today: str) -> dict[str, Any]:
    classes: dict[str, Any] = {}
    skipped: dict[str, list[str]] = {}
    for cls, kind in CLASSES.items():
        grants: dict[str, Any] = {}
        for method, runs in sorted(raw["classes"][cls]["methods"].items()):
            plain, encrypted = runs["plain"], runs["encrypted"]
            if "error" in plain:
                skipped.setdefault(cls, []).append(method)
                continue
            stmts, _ = _statements(plain)
            entry: dict[str, Any] = {"statements": stmts}
            if encrypted is not None and "error" not in encrypted:
                entry["key_actions"] = _statements(encrypted)[1]
            grants[method] = entry
        classes[cls] = {"kind": kind, "grants": grants}
    return {
        "source": {
            "package": "aws-cdk-lib",
            "version": raw["version"],
            "license": raw["license"],
            "license_file": "licenses/aws-cdk-lib-LICENSE.txt",
            "generated": today,
            "generator": "tools/gen_cdk_grants.py",
            "note": "facts observed from aws-cdk-lib (Apache-2.0): action names and resource shapes only, no code",
        },
        "classes": classes,
        "skipped": skipped,
    }


def main(argv: list[str]) -> int:
    version = argv[1] if len(argv) > 1 else "2"  # npm resolves "2" to the latest 2.x
    table = build(_run(version), datetime.datetime.now(datetime.UTC).date().isoformat())
    OUT.write_text(json.dumps(table, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT} from aws-cdk-lib {table['source']['version']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
