"""Where a value came from, and how it was obtained.

Every value a rule looks at is a `Value`: the value itself, the file and line it
was read from, and its `Origin`, so a rule can tell "set on the function" from
"inherited from provider/Globals" from "AWS default, nobody set it" from "a
variable we could not resolve".
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True, order=True)
class Loc:
    """A position in a scanned file: path relative to the scan root (POSIX), 1-based line (0 = unknown).

    A live-account scan (`fnaudit scan aws:`) points at what is deployed instead:

    - a deployed resource: `path` is its ARN, `key` the configuration key the finding is about
      (`Environment.Variables.DB_PASSWORD`, `Policies.orders.Statement[0]`, `AuthType`; "" for the
      resource as a whole) and `line` 0; `is_resource` is True;
    - a file in a downloaded code package: `path` is the function's ARN, `!/` and the file's path in the
      package (`arn:aws:lambda:eu-west-1:123456789012:function:orders!/app.py`), with a line, and no key.

    `str()` is what every reporter prints: `path:line`, or `path` alone when the line is unknown, and for a
    key with no line `path key` (`arn:aws:lambda:eu-west-1:123456789012:function:orders
    Environment.Variables.DB_PASSWORD`); a file location (no key) prints exactly as it always did.
    """

    path: str
    line: int = 0
    key: str = ""  # a configuration key inside the resource at `path`; "" for files

    def __str__(self) -> str:
        if self.line:
            return f"{self.path}:{self.line}"
        return f"{self.path} {self.key}" if self.key else self.path

    @property
    def is_resource(self) -> bool:
        """A deployed resource named by its ARN (not a file, nor a file inside a downloaded package)."""
        return self.path.startswith("arn:") and "!/" not in self.path


class Origin(StrEnum):
    SET = "set"  # written on the object itself
    INHERITED = "inherited"  # taken from provider / Globals / a shared default block
    DEFAULT = "default"  # not written anywhere: the platform default applies
    UNRESOLVED = "unresolved"  # written, but as a reference we could not resolve


class RefKind(StrEnum):
    """What an unresolved (or resolved-by-reference) value points at."""

    SSM = "ssm"  # ${ssm:...}, {{resolve:ssm:...}}
    SSM_SECURE = "ssm-secure"  # {{resolve:ssm-secure:...}}
    SECRETS_MANAGER = "secretsmanager"  # {{resolve:secretsmanager:...}}, ${ssm:/aws/reference/secretsmanager/...}
    SECRET_RESOURCE = "secret-resource"  # Ref / GetAtt of an AWS::SecretsManager::Secret (or SSM parameter) resource
    SECRET_ARN = "secret-arn"  # a literal Secrets Manager secret or SSM parameter ARN
    CLOUDFORMATION = "cloudformation"  # Ref / GetAtt / ImportValue / ${cf:...} to other stacks or resources
    PARAMETER = "parameter"  # a template parameter without default, ${param:...}
    ENVIRONMENT = "environment"  # ${env:...} not set at scan time
    OPTION = "option"  # ${opt:...} without default
    AWS = "aws"  # ${aws:...}, pseudo parameters
    S3 = "s3"  # ${s3:...}
    FILE = "file"  # ${file(...)} that could not be read
    OTHER = "other"

    @property
    def is_secret_store(self) -> bool:
        return self in _SECRET_STORES


_SECRET_STORES = frozenset(
    {RefKind.SSM, RefKind.SSM_SECURE, RefKind.SECRETS_MANAGER, RefKind.SECRET_RESOURCE, RefKind.SECRET_ARN}
)


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference that stands for a value: its kind and its text as written (e.g. `${ssm:/db/password}`)."""

    kind: RefKind
    text: str


@dataclass(frozen=True, slots=True)
class Value(Generic[T]):
    """A value read from IaC with its location and origin.

    `value` is None when the value is DEFAULT (unset) or UNRESOLVED; `ref` says what an
    unresolved value (or a value that is itself a reference, such as a secret ARN) points at.
    """

    value: T | None
    loc: Loc
    origin: Origin = Origin.SET
    ref: Ref | None = None

    @property
    def is_set(self) -> bool:
        return self.origin in (Origin.SET, Origin.INHERITED) and self.value is not None

    @property
    def is_unresolved(self) -> bool:
        return self.origin is Origin.UNRESOLVED

    @property
    def is_default(self) -> bool:
        return self.origin is Origin.DEFAULT

    @property
    def is_secret_reference(self) -> bool:
        return self.ref is not None and self.ref.kind.is_secret_store

    def inherited(self) -> Value[T]:
        """The same value seen from an object that inherits it (provider / Globals)."""
        if self.origin is Origin.SET:
            return Value(self.value, self.loc, Origin.INHERITED, self.ref)
        return self

    @staticmethod
    def unset(loc: Loc) -> Value[T]:
        return Value(None, loc, Origin.DEFAULT)

    @staticmethod
    def unresolved(loc: Loc, ref: Ref) -> Value[T]:
        return Value(None, loc, Origin.UNRESOLVED, ref)


def line_in(container: object, key: object, default: int = 0) -> int:
    """The line of `container[key]` when the loader kept it, else `default`.

    The documents the loaders read remember the line of each mapping key (`key_lines`) and list item
    (`item_lines`), and those mappings end up as-is in the model (`Resource.properties`), so a rule can
    point at the exact property it judges without reaching back into the loaders."""
    if isinstance(key, str):
        lines = getattr(container, "key_lines", None)
        line = lines.get(key) if isinstance(lines, dict) else None
    elif isinstance(key, int):
        items = getattr(container, "item_lines", None)
        line = items[key] if isinstance(items, list) and 0 <= key < len(items) else None
    else:
        line = None
    return line if isinstance(line, int) and line > 0 else default
