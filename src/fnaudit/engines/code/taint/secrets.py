"""Environment variables whose value is a secret: the `SECRET` root, for the sensitive-logging check.

Whether a name says "secret" is the secrets engine's judgement (`secret_word`), the same one
SECRET001 applies to function environments: `DB_PASSWORD` and `AUTH_TOKEN` are secrets,
`DB_PASSWORD_SECRET_ARN` and `AUTH_URL` name or locate one and are not.
"""

from __future__ import annotations

from fnaudit.engines.code.taint.values import EMPTY, SECRET, Ref, Val
from fnaudit.engines.secrets.context import secret_word
from fnaudit.model.code import Step
from fnaudit.model.loc import Loc


def is_secret_name(name: str) -> bool:
    return secret_word(name) is not None


def env_read(name: str | None, loc: Loc) -> Val:
    """The value of reading environment variable `name` (None: a name not known statically)."""
    if name and is_secret_name(name):
        return {Ref(SECRET, label=name): (Step(loc, f"secret read from environment variable {name}"),)}
    return EMPTY


def whole_environment(name: str, loc: Loc) -> Val:
    """`os.environ` / `process.env` as a whole: it holds the function's AWS credentials
    (`AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), so logging or returning it leaks them (CODE014)."""
    return {Ref(SECRET, label=name): (Step(loc, f"the whole environment ({name}) read"),)}
