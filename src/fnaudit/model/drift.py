"""Drift: how a deployed function differs from its declaration in the repository's IaC.

`fnaudit scan aws: --compare PATH` matches each deployed function to the one the IaC at PATH declares
(account/drift.py) and records every difference here, on the deployed App (`App.drift`). The DRIFT rules
read nothing else. Texts are display texts, already redacted: an environment value is never kept in clear.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from fnaudit.model.loc import Loc


class DiffKind(StrEnum):
    DEPLOYED_ONLY = "deployed-only"  # a deployed function no IaC declares
    DECLARED_ONLY = "declared-only"  # a declared function that is not deployed
    SETTING = "setting"  # a matched function whose setting differs


class Setting(StrEnum):
    """The settings compared between a declared function and its deployed counterpart."""

    RUNTIME = "runtime"
    HANDLER = "handler"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    CONCURRENCY = "reserved-concurrency"
    ENVIRONMENT = "environment"
    ROLE = "role"
    HTTP_AUTH = "http-auth"
    URL_AUTH = "url-auth"
    TRACING = "tracing"
    DEAD_LETTER = "dead-letter"


class Change(StrEnum):
    """Seen from the IaC: what the deployment did to the declared setting."""

    ADDED = "added"  # deployed has it, the IaC does not
    REMOVED = "removed"  # the IaC has it, the deployment does not
    CHANGED = "changed"  # both have it, with different values


@dataclass(frozen=True, slots=True)
class Difference:
    """One difference between the IaC and the deployment.

    `deployed_loc` is where the deployed side says it (the function's ARN and configuration key in an account
    scan; for a declared-only function, the deployed app's source); `declared_loc` the IaC file and line, its
    path relative to the repository. `item` names the part of the setting that differs: an environment key,
    an IAM action (`Allow s3:GetObject`), a route (`GET /items`), a managed policy. `declared` and `deployed`
    are the two sides as text, redacted. `wider` is True when the deployed side grants more or authenticates
    less than the IaC says (an action added, a Deny removed, an authorizer dropped, a URL opened).
    """

    kind: DiffKind
    deployed_loc: Loc
    declared_function: str | None = None  # the declared function's name (None: deployed-only)
    deployed_function: str | None = None  # the deployed function's name (None: declared-only)
    deployed_function_id: str | None = None  # its `Function.id` in the deployed app, for findings
    declared_loc: Loc | None = None
    setting: Setting | None = None
    item: str = ""
    change: Change = Change.CHANGED
    declared: str = ""
    deployed: str = ""
    wider: bool = False
    declared_root: str = ""  # the repository compared, as the user named it (`--compare PATH`), for messages

    @property
    def function(self) -> str:
        """The name a finding reports the difference under: the deployed one when there is one."""
        return self.deployed_function or self.declared_function or ""
