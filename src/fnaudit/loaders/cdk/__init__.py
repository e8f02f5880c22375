"""CDK apps (TypeScript, JavaScript, Python) read from their source, never synthesised → App.

The entry file `cdk.json` names is read (`entry.py`), the stacks and constructs it instantiates are
followed through the app's own files (`interp.py`), and each construct is written as the CloudFormation
it is (`functions.py`, `resources.py`, grants from the data table in `grants.py`), with virtual lines
that the shared builder's App is moved back from (`lowered.build_lowered`), as for Terraform. Values
only running the app would give are template parameters named by the expression.
"""

from __future__ import annotations

import posixpath
from dataclasses import replace

from fnaudit.errors import Loss, ScanError
from fnaudit.loaders._files import ScanRoot
from fnaudit.loaders._yaml import LDict
from fnaudit.loaders.base import LoadOptions, LoadOutcome, SourceDoc
from fnaudit.loaders.cdk.interp import Program
from fnaudit.loaders.cdk.synth import fill, note, read_assembly
from fnaudit.loaders.lowered import LineTable, build_lowered
from fnaudit.model.app import Dialect, Function


def load(doc: SourceDoc, root: ScanRoot, options: LoadOptions) -> LoadOutcome:
    cdk_json = doc.data.get("cdk_json", doc.rel) if isinstance(doc.data, dict) else doc.rel
    program = Program(root, posixpath.dirname(cdk_json) or ".", posixpath.dirname(doc.rel) or ".")
    entry = program.module(doc.rel)
    if entry is None:
        return LoadOutcome(errors=program.errors)
    program.run(entry)
    out = program.out
    synth_errors, synth_files = _fill_from_synth(doc, root, out.resources, out.parameters, out.lines)
    template = LDict(1)
    template["Resources"] = out.resources
    template["Parameters"] = out.parameters
    apps, errors, consumed = build_lowered(doc, root, options, template, out.lines, Dialect.CDK, out.local_code)
    # the app is the folder of cdk.json (its package.json / lockfile / requirements are the app's), not the
    # folder of the entry file (`bin/`)
    app_root = posixpath.dirname(cdk_json)
    apps = [
        replace(app, root=app_root, functions=tuple(_inline_on_real_lines(f, out.lines) for f in app.functions))
        for app in apps
    ]
    notes = []
    for virtual, message in out.notes:
        loc = out.lines.loc(virtual)
        if loc is not None:
            notes.append(ScanError(loc.path, f"line {loc.line}: {message}", "load", Loss.PARTIAL))
    files = {rel for rel, mod in program.modules.items() if mod is not None} | {cdk_json} | synth_files
    errors = [*program.errors, *errors, *notes, *synth_errors]
    return LoadOutcome(apps=apps, errors=errors, consumed=(files - {doc.rel}) | consumed)


def _fill_from_synth(
    doc: SourceDoc, root: ScanRoot, resources: LDict, parameters: LDict, lines: LineTable
) -> tuple[list[ScanError], set[str]]:
    """A `cdk.out` beside `cdk.json` fills the values the source left unknown; each filled value is an
    `errors` entry of loss `none` at its source line, so the JSON report says which values came from it."""
    folder = doc.data.get("cdk_out") if isinstance(doc.data, dict) else None
    if not isinstance(folder, str):
        return [], set()
    assembly = read_assembly(root, folder)
    errors = list(assembly.errors)
    for filled in fill(resources, parameters, assembly):
        loc = lines.loc(filled.line)
        if loc is not None:
            errors.append(ScanError(loc.path, f"line {loc.line}: {note(filled)}", "load", Loss.NONE))
    return errors, set(assembly.templates) | (
        {posixpath.join(folder, "manifest.json")} if assembly.templates else set()
    )


def _inline_on_real_lines(fn: Function, lines: LineTable) -> Function:
    """`Code.fromInline(...)`: the builder lays the code out from the template's (virtual) line; the code
    engine's locations must be lines of the CDK file, so the code starts on the line of its string."""
    inline = fn.code.inline
    real = lines.loc(inline.first_line) if inline is not None else None
    if inline is None or real is None:
        return fn
    text = "\n" * (real.line - 1) + inline.text.lstrip("\n")
    moved = replace(inline, text=text, first_line=real.line, file=real.path)
    return replace(fn, code=replace(fn.code, inline=moved, handler_file=real.path))
