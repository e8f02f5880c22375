"""IAM policy documents (as written in any dialect) → `Statement`s, keeping lines and sources.

Values that are CloudFormation intrinsics are rendered as readable text (`!GetAtt Table.Arn`,
`!Sub arn:aws:s3:::${Bucket}/*`) rather than resolved: for permission rules what matters is
whether a resource is `*`, and the text is what a person recognises in their template.
"""

from __future__ import annotations

import json
from typing import Any

from fnaudit.loaders._yaml import line_of, own_line
from fnaudit.model.app import Effect, Statement
from fnaudit.model.loc import Loc


def render(value: Any) -> str:
    """A readable single-line form of a scalar or an intrinsic function."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict) and len(value) == 1:
        ((name, arg),) = value.items()
        short = name.removeprefix("Fn::")
        if name == "Fn::GetAtt" and isinstance(arg, list):
            return f"!GetAtt {'.'.join(render(a) for a in arg)}"
        if name == "Fn::Sub" and isinstance(arg, list) and arg:
            return f"!Sub {render(arg[0])}"
        if name == "Fn::Join" and isinstance(arg, list) and len(arg) == 2 and isinstance(arg[1], list):
            return render(arg[0]).join(render(a) for a in arg[1])
        if isinstance(arg, list):
            return f"!{short} [{', '.join(render(a) for a in arg)}]"
        return f"!{short} {render(arg)}"
    try:
        return json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        return str(value)


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, list):
        return tuple(render(v) for v in value)
    return (render(value),)


def _principals(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)  # "*"
    if isinstance(value, dict):
        out = []
        for kind, who in value.items():
            for w in _strings(who):
                out.append(f"{kind}:{w}")
        return tuple(out)
    return _strings(value)


def statement(raw: Any, path: str, line: int, source: str) -> Statement | None:
    """One statement from its mapping; None when it is not a mapping (the caller reports it)."""
    if not isinstance(raw, dict):
        return None
    effect = Effect.DENY if str(raw.get("Effect", "Allow")).lower() == "deny" else Effect.ALLOW
    return Statement(
        effect=effect,
        loc=Loc(path, own_line(raw, line)),
        actions=_strings(raw.get("Action")),
        not_actions=_strings(raw.get("NotAction")),
        resources=_strings(raw.get("Resource")),
        not_resources=_strings(raw.get("NotResource")),
        conditional=bool(raw.get("Condition")),
        principals=_principals(raw.get("Principal")),
        sid=str(raw["Sid"]) if "Sid" in raw else None,
        source=source,
        conditions=_conditions(raw.get("Condition")),
    )


def _conditions(raw: Any) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """`{StringEquals: {iam:PassedToService: lambda.amazonaws.com}}` → (("StringEquals", "iam:PassedToService", (…,)),)."""
    if not isinstance(raw, dict):
        return ()
    out = []
    for operator, block in raw.items():
        if isinstance(block, dict):
            for key, values in block.items():
                out.append((str(operator), str(key), _strings(values)))
    return tuple(out)


def statements(raw_list: Any, path: str, line: int, source: str) -> tuple[Statement, ...]:
    """Statements from a list (or a single statement mapping, which IAM also accepts)."""
    items = raw_list if isinstance(raw_list, list) else [raw_list] if isinstance(raw_list, dict) else []
    out = []
    for i, raw in enumerate(items):
        st = statement(raw, path, line_of(raw_list, i, line), f"{source}[{i}]")
        if st is not None:
            out.append(st)
    return tuple(out)


def document_statements(doc: Any, path: str, line: int, source: str) -> tuple[Statement, ...]:
    """Statements of a policy document `{Version, Statement: [...]}`."""
    if isinstance(doc, str):
        try:
            doc = json.loads(doc)
        except ValueError:
            return ()
    if not isinstance(doc, dict):
        return ()
    return statements(doc.get("Statement"), path, line_of(doc, "Statement", own_line(doc, line)), f"{source}.Statement")
