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
    template = LDict(1)
    template["Resources"] = out.resources
    template["Parameters"] = out.parameters
    apps, errors, consumed = build_lowered(doc, root, options, template, out.lines, Dialect.CDK, out.local_code)
    apps = [replace(app, functions=tuple(_inline_on_real_lines(f, out.lines) for f in app.functions)) for app in apps]
    notes = []
    for virtual, message in out.notes:
        loc = out.lines.loc(virtual)
        if loc is not None:
            notes.append(ScanError(loc.path, f"line {loc.line}: {message}", "load", Loss.PARTIAL))
    files = {rel for rel, mod in program.modules.items() if mod is not None} | {cdk_json}
    return LoadOutcome(apps=apps, errors=[*program.errors, *errors, *notes], consumed=(files - {doc.rel}) | consumed)


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
