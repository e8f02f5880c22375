"""Reads through the AWS Parameters and Secrets Lambda extension, seen as the SDK calls they stand for.

The extension answers plain HTTP on `localhost:2773` (`/secretsmanager/get?secretId=…`,
`/systemsmanager/parameters/get?name=…`) and calls Secrets Manager / SSM with the function's role.
The code makes no SDK call, yet the role needs `secretsmanager:GetSecretValue` / `ssm:GetParameter`:
without these calls the IAM engine would call those permissions unused (IAM010) and least privilege
would drop them. Language-neutral: the URL is found in the module's text (a string or template
literal), whatever the HTTP client; the secret or parameter name is kept when it is written there.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from fnaudit.engines.code.files import SourceFile
from fnaudit.model.code import SdkCall
from fnaudit.model.loc import Loc

_URL = re.compile(
    r"(?:localhost|127\.0\.0\.1):(?:2773|\$\{[^}]*\}|\{[^}]*\})/"
    r"(?P<path>secretsmanager/get|systemsmanager/parameters/get)(?:\?(?P<query>[^\s'\"`]*))?"
)
_PARAM = re.compile(r"(?:secretId|name)=(?P<value>[A-Za-z0-9/_+=.@-]+)")
_OPERATION = {
    "secretsmanager/get": ("secretsmanager", "GetSecretValue"),
    "systemsmanager/parameters/get": ("ssm", "GetParameter"),
}


def extension_calls(files: Iterable[SourceFile]) -> tuple[SdkCall, ...]:
    """One SDK call per extension URL written in the files (medium confidence: the URL may be built
    but never requested, and a name read from a variable is not known)."""
    out: list[SdkCall] = []
    for f in files:
        if "secretsmanager/get" not in f.text and "systemsmanager/parameters/get" not in f.text:
            continue
        for m in _URL.finditer(f.text):
            service, operation = _OPERATION[m.group("path")]
            name = _PARAM.search(m.group("query") or "")
            line = f.text.count("\n", 0, m.start()) + 1
            out.append(SdkCall(service, operation, Loc(f.rel, line), name.group("value") if name else None, "medium"))
    return tuple(out)
