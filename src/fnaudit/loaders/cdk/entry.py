"""Finding a CDK app: `cdk.json`, whose `app` command names the entry file (`npx ts-node bin/app.ts`,
`python3 app.py`, `node bin/app.js`). Java, Go and .NET apps (`mvn exec`, `go mod download && go run`,
`dotnet run`) are recognised and reported as not read."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

from fnaudit.errors import InputError, Loss, ScanError
from fnaudit.loaders._files import ScanRoot, read_text
from fnaudit.loaders.base import SourceDoc
from fnaudit.model.app import Dialect

ENTRY_SUFFIXES = (".ts", ".js", ".mjs", ".cjs", ".py")
NOT_READ = "a CDK app in a language fnaudit does not read from source yet (only TypeScript, JavaScript, Python)"


def cdk_app(path: Path, root: ScanRoot) -> tuple[SourceDoc | None, ScanError | None]:
    """The entry file of the CDK app whose `cdk.json` is `path`, as the document to load."""
    rel = root.rel(path)
    try:
        data = json.loads(read_text(path))
    except (InputError, ValueError) as exc:
        return None, ScanError(rel, f"cdk.json not read: {exc}", "discover", Loss.APP)
    command = data.get("app") if isinstance(data, dict) else None
    if not isinstance(command, str):
        return None, ScanError(rel, "cdk.json names no `app` command", "discover", Loss.APP)
    try:
        words = shlex.split(command)
    except ValueError:
        words = command.split()
    entry = next((w for w in words if w.endswith(ENTRY_SUFFIXES)), None)
    if entry is None:
        return None, ScanError(rel, f"{NOT_READ}: {command!r}", "discover", Loss.APP)
    try:
        target = root.resolve_inside(path.parent, entry)
    except InputError as exc:
        return None, ScanError(rel, f"CDK entry {entry!r}: {exc}", "discover", Loss.APP)
    if not target.is_file():
        return None, ScanError(rel, f"CDK entry {entry!r} not found", "discover", Loss.APP)
    data_out: dict[str, str] = {"cdk_json": rel}
    cdk_out = synth_folder(path, root, data.get("output"))
    if cdk_out is not None:
        data_out["cdk_out"] = cdk_out
    doc = SourceDoc(path=target, rel=root.rel(target), text="", data=data_out, dialect=Dialect.CDK)
    return doc, None


def synth_folder(cdk_json: Path, root: ScanRoot, output: object) -> str | None:
    """The app's cloud assembly folder (`output` in cdk.json, default `cdk.out`) if it is there and inside the
    scanned root: its templates fill what reading the source leaves unknown (`synth.py`)."""
    name = output if isinstance(output, str) and output else "cdk.out"
    try:
        folder = root.resolve_inside(cdk_json.parent, name)
    except InputError:  # outside the root: never read
        return None
    return root.rel(folder) if (folder / "manifest.json").is_file() else None
