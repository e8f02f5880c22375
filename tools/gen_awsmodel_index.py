"""Regenerate `src/fnaudit/data/aws-sdk-index.marshal`, the compact index of the AWS SDK models that
`fnaudit.engines.code.awsmodel` reads instead of botocore's JSON models, from the installed botocore and boto3.

Run by hand after upgrading botocore/boto3 in the environment fnaudit is released from:

    python tools/gen_awsmodel_index.py

For every service the models have, it stores exactly what `awsmodel.operations`, `awsmodel.waiters`,
boto3's resource model (`awsmodel._resources`) and the IAM names in each service's metadata
(`awsmodel.metadata`) return when computed from the installed models, each service's part marshalled and
compressed on its own so that a scan decodes only the services it meets. The index names the botocore and
boto3 versions it was made from; with any other installed version (or with user models in ~/.aws/models)
fnaudit reads the models as before, so a stale index costs time, never a different answer. It keeps only
the operation and waiter names, boto3's resource models and two metadata fields of each service model;
botocore and boto3 are Apache-2.0, and their licence and notice texts are written beside the index
(`fnaudit/data/licenses/botocore-LICENSE.txt`, `boto3-LICENSE.txt`).
"""

from __future__ import annotations

import importlib.metadata
import json
import marshal
import sys
import zlib
from pathlib import Path

from fnaudit.engines.code import awsmodel

OUT = Path(__file__).resolve().parent.parent / "src" / "fnaudit" / "data" / awsmodel.INDEX


def build() -> dict[str, object]:
    if awsmodel.user_models().exists():
        # botocore would read these before its own models: the index would not be botocore's
        raise SystemExit(f"{awsmodel.user_models()} exists: move it away while generating the index")
    loader = awsmodel._loader()
    kinds = {"operations": "service-2", "waiters": "waiters-2", "resources": "resources-1", "metadata": "service-2"}
    compute = {
        "operations": awsmodel.model_operations,
        "waiters": awsmodel.model_waiters,
        "resources": awsmodel.model_resources,
        "metadata": awsmodel.model_metadata,
    }
    index: dict[str, object] = {
        "format": awsmodel.INDEX_FORMAT,
        "botocore": awsmodel.source_version("botocore"),
        "boto3": awsmodel.source_version("boto3"),
    }
    for part in awsmodel.PARTS:
        services = sorted(loader.list_available_services(kinds[part]))
        # through JSON: botocore's loader makes OrderedDicts, which marshal does not take; the values are
        # JSON documents, and plain dicts keep their order
        index[part] = {s: zlib.compress(marshal.dumps(json.loads(json.dumps(compute[part](s)))), 9) for s in services}
    return index


def licence(package: str) -> str:
    """The package's licence text followed by its NOTICE, from its installed distribution."""
    files = importlib.metadata.files(package) or []
    texts = [
        f.read_text(encoding="utf-8").strip()
        for kind in ("LICENSE", "NOTICE")
        for f in files
        if f.parent.name.endswith(".dist-info") and f.name.split(".")[0] == kind
    ]
    if not texts:
        raise SystemExit(f"{package}: no LICENSE in its installed distribution")
    return "\n\n".join(texts) + "\n"


def main() -> int:
    index = build()
    OUT.write_bytes(marshal.dumps(index))
    for package in ("botocore", "boto3"):
        (OUT.parent / "licenses" / f"{package}-LICENSE.txt").write_text(licence(package), encoding="utf-8")
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes) for botocore {index['botocore']}, boto3 {index['boto3']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
