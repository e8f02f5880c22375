"""Wording shared by the file-based SECRET rules: hits from the engine's candidates, remediation
in the app's own IaC syntax."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.secrets.slots import CREDENTIAL_API, SIGNING_KEY
from fnaudit.findings import Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.secrets import SecretCandidate, SecretPlace
from fnaudit.model.unclaimed import UNCLAIMED
from fnaudit.rules._common import by_dialect


def candidates(app: App, *places: SecretPlace) -> Iterator[SecretCandidate]:
    yield from (c for c in app.secret_candidates if c.place in places)


def functions_of(app: App, c: SecretCandidate) -> tuple[str | None, tuple[str, ...]]:
    """(function, functions) for a Hit: one function named, or all of those sharing the file."""
    if len(c.functions) == 1:
        return c.functions[0], ()
    return None, c.functions


def names(app: App, c: SecretCandidate) -> str:
    by_id = {f.id: f.name for f in app.functions}
    got = [by_id.get(i, i) for i in c.functions]
    if not got:
        return ""
    if len(got) == 1:
        return f"function {got[0]}: "
    return f"functions {', '.join(got[:3])}{' …' if len(got) > 3 else ''}: "


def context_note(c: SecretCandidate) -> str:
    notes = []
    if "unclaimed" in c.flags:  # engines.secrets.unclaimed: read as a file-by-file scanner would
        notes.append("in a file no function ships")
    if "test-path" in c.flags:
        notes.append("in a test file, lower confidence")
    if "sample-file" in c.flags:
        notes.append("in a sample file, lower confidence")
    if "jwt-alg-none" in c.flags:
        notes.append("unsigned (`alg: none`)")
    elif "jwt-symmetric-alg" in c.flags:
        notes.append("signed with a shared secret: whoever has the key can mint tokens")
    if "jwt-no-expiry" in c.flags:
        notes.append("never expires")
    if SIGNING_KEY in c.flags:  # engines.secrets.slots: a guessable key is still the key
        notes.append("reported whatever it looks like: whoever reads this key can forge what it signs")
    if CREDENTIAL_API in c.flags:
        notes.append("reported even when it looks like a placeholder: once deployed it is the account's real password")
    return f" ({'; '.join(notes)})" if notes else ""


def hit(app: App, c: SecretCandidate, message: str, remediation: str) -> Hit:
    function, functions = functions_of(app, c)
    return Hit(
        c.loc,
        names(app, c) + message + context_note(c),
        function=function,
        functions=functions,
        evidence=f"{c.key}={c.preview}" if c.key else c.preview,
        remediation=remediation,
        severity=Severity.parse(c.severity),
        key=f"{c.detector}:{c.key or ''}:{c.preview}",
        confidence=c.confidence,
        attribution=UNCLAIMED if "unclaimed" in c.flags else None,
    )


def store_remediation(app: App, name: str) -> str:
    """Where to keep the secret and how this app's IaC passes a reference to it."""
    env = name.upper().replace("-", "_").replace(".", "_") or "SECRET"
    runtime = (
        "read it at runtime with the AWS SDK (or the Parameters and Secrets Lambda extension / Powertools "
        "`parameters.get_secret`), fetched once and cached in module scope, and grant "
        "`secretsmanager:GetSecretValue` on that secret only; then rotate the exposed value (it is in the "
        "repository history)."
    )
    return by_dialect(
        app,
        serverless=(
            f"Store the value in AWS Secrets Manager (or SSM Parameter Store as a SecureString) and pass only its "
            f"name: `environment: {env}_SECRET_ID: ${{self:service}}/${{sls:stage}}/{env.lower()}`; " + runtime
        ),
        sam=(
            f"Store the value in AWS Secrets Manager (`AWS::SecretsManager::Secret`) and pass its ARN: "
            f"`Environment: Variables: {env}_SECRET_ARN: !Ref {_logical(env)}Secret`; " + runtime
        ),
        cloudformation=(
            f"Store the value in AWS Secrets Manager (`AWS::SecretsManager::Secret`) and pass its ARN: "
            f"`Environment: Variables: {env}_SECRET_ARN: !Ref {_logical(env)}Secret`; " + runtime
        ),
    )


def _logical(env: str) -> str:
    return "".join(p.capitalize() for p in env.lower().split("_") if p) or "App"
