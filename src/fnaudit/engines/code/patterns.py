"""Shapes found by their form rather than by a data flow: reverse shells (CODE020).

A reverse shell connects out to the attacker and wires the connection to a shell's standard streams,
so no event data has to reach anything: the code itself is the backdoor (a planted dependency, a
"debug" helper left in, a compromised build). The check reads each file of the function's module
graph as text (never runs it) and looks for the two halves in one file:

- Python: a socket (`socket.socket(...)`, `socket.create_connection(...)`) whose `fileno()` is
  duplicated onto the standard streams (`os.dup2(s.fileno(), 0)`) with a shell started in the same
  file (`pty.spawn("/bin/sh")`, `subprocess.call(["/bin/sh", "-i"])`, `os.system("sh")`), or given (itself
  or its `fileno()`) as `stdin=`/`stdout=` of a subprocess that runs a shell;
- JavaScript/TypeScript: a shell spawned (`child_process.spawn("/bin/sh")`) and a socket
  (`new net.Socket()`, `net.connect`, `net.createConnection`, `tls.connect`) piped to it
  (`socket.pipe(sh.stdin)` or `sh.stdout.pipe(socket)`) or given as its streams (`stdio: [sock, sock, sock]`).

A text check is enough here: the shapes are distinctive, and a false match needs both halves in one
file. The finding is on the line that wires the streams.
"""

from __future__ import annotations

import re
from dataclasses import replace

from fnaudit.engines.code.files import FileCache
from fnaudit.model.code import CodeFacts, Weakness
from fnaudit.model.loc import Loc

_SHELL = r"""["'](?:/usr)?(?:/bin/)?(?:ba|z|da|k)?sh["']|["']cmd(?:\.exe)?["']|["']powershell(?:\.exe)?["']"""

_PY_SOCKET = re.compile(r"\b(\w+)\s*=\s*socket\.(?:socket|create_connection)\s*\(")
_PY_WITH_SOCKET = re.compile(r"with\s+socket\.(?:socket|create_connection)\s*\([^\n]*\)\s+as\s+(\w+)")
_PY_DUP2 = re.compile(r"os\.dup2\(\s*(\w+)\.fileno\(\)")
_PY_SHELL = re.compile(
    rf"(?:pty\.spawn|subprocess\.\w+|os\.system|os\.exec\w*|os\.spawn\w*)\((?:\s|#[^\n]*)*\[?\s*(?:{_SHELL})",
)
# `stdin=s.fileno()` or the socket object itself (`stdin=conn`: subprocess takes anything with a fileno())
_PY_STREAM_ARG = re.compile(r"\b(?:stdin|stdout|stderr)\s*=\s*(\w+)(?:\.fileno\(\))?")

_TS_TYPE = r"(?:\s*:\s*[\w.<>\[\]| ]+?)?"  # a TypeScript annotation: `const sh: ChildProcess = …`
_JS_SHELL = re.compile(rf"\b(?:const|let|var)\s+(\w+){_TS_TYPE}\s*=\s*(?:[\w.]+\.)?spawn\(\s*(?:{_SHELL})")
_JS_SOCKET = re.compile(
    rf"\b(?:const|let|var)\s+(\w+){_TS_TYPE}\s*=\s*"
    r"(?:new\s+(?:net\.)?Socket\s*\(|(?:net|tls)\.(?:connect|createConnection)\s*\()"
)


def with_patterns(facts: CodeFacts, cache: FileCache, language: str) -> CodeFacts:
    """The facts with the patterns of the function's files added (unchanged when none is found)."""
    found: list[Weakness] = []
    for rel in facts.files:
        f = cache.read(cache.artifacts.real_path(rel))
        if f is None:
            continue
        found += reverse_shells(f.text, f.rel, language)
    if not found:
        return facts
    return replace(facts, weaknesses=tuple(sorted({*facts.weaknesses, *found}, key=lambda w: (w.loc, w.kind))))


def reverse_shells(text: str, rel: str, language: str) -> list[Weakness]:
    # cheap substring tests first: almost no file holds both halves
    if language == "python":
        streams = "fileno" in text or _PY_STREAM_ARG.search(text) is not None
        return _python(text, rel) if "socket" in text and streams else []
    wired = ".pipe(" in text or "stdio" in text
    return _javascript(text, rel) if language == "node" and "spawn" in text and wired else []


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _python(text: str, rel: str) -> list[Weakness]:
    sockets = {m.group(1) for m in _PY_SOCKET.finditer(text)} | {m.group(1) for m in _PY_WITH_SOCKET.finditer(text)}
    if not sockets:
        return []
    shell = _PY_SHELL.search(text)
    out: list[Weakness] = []
    for m in _PY_DUP2.finditer(text):
        if m.group(1) in sockets and shell is not None:
            detail = f"socket {m.group(1)} duplicated onto the standard streams (os.dup2) and a shell started"
            out.append(Weakness("reverse-shell", Loc(rel, _line(text, m.start())), detail))
            break
    for m in _PY_STREAM_ARG.finditer(text):
        if m.group(1) not in sockets:
            continue
        call_start = text.rfind("subprocess.", 0, m.start())
        if call_start >= 0 and _PY_SHELL.match(text, call_start):
            detail = f"a shell started with socket {m.group(1)} as its standard streams"
            out.append(Weakness("reverse-shell", Loc(rel, _line(text, call_start)), detail))
            break
    return out


def _javascript(text: str, rel: str) -> list[Weakness]:
    shells = {m.group(1) for m in _JS_SHELL.finditer(text)}
    sockets = {m.group(1) for m in _JS_SOCKET.finditer(text)}
    if not sockets:
        return []
    names = "|".join(re.escape(s) for s in sorted(sockets))
    # spawn("/bin/sh", [...], { stdio: [sock, sock, sock] }): the socket given as the shell's streams
    given = re.search(rf"\bspawn\(\s*(?:{_SHELL})[^;]*?\bstdio\s*:\s*\[\s*(?:{names})\b", text)
    if given is not None:
        return [
            Weakness(
                "reverse-shell", Loc(rel, _line(text, given.start())), "a shell spawned with a socket as its stdio"
            )
        ]
    if not shells:
        return []
    shell_names = "|".join(re.escape(s) for s in sorted(shells))
    wiring = re.compile(
        rf"\b(?:(?:{names})\.pipe\(\s*(?:{shell_names})\.stdin\b|(?:{shell_names})\.std(?:out|err)\.pipe\(\s*(?:{names})\b)"
    )
    m = wiring.search(text)
    if m is None:
        return []
    return [Weakness("reverse-shell", Loc(rel, _line(text, m.start())), "a socket piped to a spawned shell")]
