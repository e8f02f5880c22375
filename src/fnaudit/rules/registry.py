"""The rule registry: a rule is metadata plus a pure check `(App, Context) -> Iterable[Hit]`.

Rules are plain functions decorated with `@rule(...)`; their docstring is their documentation
(sections `## What it finds`, `## Why it matters`, `## How to fix`, `## Example`), from which
`fnaudit explain`, the SARIF `rules[]` and the docs pages are generated. Registration is explicit:
`RULE_MODULES` lists the modules to import, in order, and importing them is lazy (first call of
`all_rules()`), so `fnaudit --version` pays nothing.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from fnaudit.findings import Category, Finding, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact

_CODE = re.compile(r"^(IAM|CODE|SECRET|DEP|AUTH|DOS|DATA|API|RUNTIME|OBS|PATH|DRIFT)\d{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

# Modules that define rules, imported in this order. Adding a rule module = one line here.
RULE_MODULES: tuple[str, ...] = (
    "fnaudit.rules.auth.http_no_authorizer",
    "fnaudit.rules.auth.function_url_public",
    "fnaudit.rules.auth.public_invoke_permission",
    "fnaudit.rules.auth.api_key_only",
    "fnaudit.rules.auth.cors",
    "fnaudit.rules.dos.no_reserved_concurrency",
    "fnaudit.rules.dos.timeouts",
    "fnaudit.rules.dos.async_no_dlq",
    "fnaudit.rules.dos.concurrency_exhaustion",
    "fnaudit.rules.dos.api_throttling",
    "fnaudit.rules.data.public_bucket",
    "fnaudit.rules.api.request_validation",
    "fnaudit.rules.runtime.deprecated_runtime",
    "fnaudit.rules.secrets.env_plaintext_secret",
    "fnaudit.rules.secrets.in_files",
    "fnaudit.rules.secrets.parameter_default",
    "fnaudit.rules.secrets.runtime_flow",
    "fnaudit.rules.secrets.resource_property",
    "fnaudit.rules.iam.admin_access",
    "fnaudit.rules.iam.service_wildcard",
    "fnaudit.rules.iam.unscoped_write",
    "fnaudit.rules.iam.shared_role",
    "fnaudit.rules.iam.unscoped_data_read",
    "fnaudit.rules.iam.privilege_escalation",
    "fnaudit.rules.iam.credentials_exposure",
    "fnaudit.rules.iam.data_exfiltration",
    "fnaudit.rules.iam.trust_policy",
    "fnaudit.rules.iam.unused_permission",
    "fnaudit.rules.code.sql_injection",
    "fnaudit.rules.code.command_injection",
    "fnaudit.rules.code.code_injection",
    "fnaudit.rules.code.unsafe_deserialization",
    "fnaudit.rules.code.path_traversal",
    "fnaudit.rules.code.ssrf",
    "fnaudit.rules.code.nosql_injection",
    "fnaudit.rules.code.template_injection",
    "fnaudit.rules.code.xxe",
    "fnaudit.rules.code.xss_response",
    "fnaudit.rules.code.open_redirect",
    "fnaudit.rules.code.runtime_state",
    "fnaudit.rules.code.verbose_error",
    "fnaudit.rules.code.sensitive_logging",
    "fnaudit.rules.code.reverse_shell",
    "fnaudit.rules.code.redos",
    "fnaudit.rules.code.resource_amplification",
    "fnaudit.rules.code.stored_xss",
    "fnaudit.rules.code.jwt_not_verified",
    "fnaudit.rules.code.transport_security_disabled",
    "fnaudit.rules.code.weak_password_storage",
    "fnaudit.rules.code.broken_authorization_check",
    "fnaudit.rules.code.cors_origin_reflected",
    "fnaudit.rules.code.missing_ownership_check",
    "fnaudit.rules.code.log_injection",
    "fnaudit.rules.obs.tracing_disabled",
    "fnaudit.rules.obs.no_log_retention",
    "fnaudit.rules.deps.vulnerable",
    "fnaudit.rules.deps.malicious",
    "fnaudit.rules.deps.no_lockfile",
    "fnaudit.rules.deps.scan_not_run",
    "fnaudit.rules.deps.vulnerable_range",
    "fnaudit.rules.paths.attack_paths",
    "fnaudit.rules.paths.vulnerable_library_call",
    # drift between the repository and the account: only `scan aws: --compare` fills `App.drift`
    "fnaudit.rules.drift.deployed_not_declared",
    "fnaudit.rules.drift.declared_not_deployed",
    "fnaudit.rules.drift.runtime_drift",
    "fnaudit.rules.drift.environment_drift",
    "fnaudit.rules.drift.permissions_drift",
    "fnaudit.rules.drift.auth_drift",
    "fnaudit.rules.drift.configuration_drift",
)


@dataclass(frozen=True, slots=True)
class Context:
    """What a rule may know besides the App: the scan date and per-rule options. No I/O."""

    today: dt.date = field(default_factory=dt.date.today)
    options: dict[str, object] = field(default_factory=dict)
    # For rules of the second phase (attack paths): every finding the first-phase rules made on this
    # app, whether or not the user selected those rules or suppressed the findings.
    findings: tuple[Finding, ...] = ()


Check = Callable[[App, Context], Iterable[Hit]]


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    title: str
    category: Category
    severity: Severity
    check: Check
    cwe: tuple[int, ...] = ()
    owasp: tuple[str, ...] = ()  # OWASP Serverless Top 10 (SAS-1 … SAS-10)
    references: tuple[str, ...] = ()
    doc: str = ""
    phase: int = 0  # 0: reads the App; 1: also reads the first phase's findings (ctx.findings)
    # The engine facts the check reads (fnaudit.model.facts): the scan runs only the engines that the
    # rules it runs need. A second-phase rule also gets what its first-phase inputs need (pipeline).
    needs: tuple[Fact, ...] = ()

    def section(self, heading: str) -> str:
        """The text under `## heading` in the rule's docs ('' when absent)."""
        m = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", self.doc, re.M | re.S)
        return m.group(1).strip() if m else ""

    @property
    def summary(self) -> str:
        return self.section("What it finds").split("\n\n")[0].replace("\n", " ") or self.title


@dataclass(frozen=True, slots=True)
class Retired:
    """A rule that was removed: its code and name are never given to another rule."""

    code: str
    name: str
    retired: dt.date
    reason: str  # why it went, and what replaces it (if anything)

    def names(self, selector: str) -> bool:
        """Whether `selector` is exactly this rule's code (any case) or name: a prefix such as `IAM` names a family."""
        sel = selector.strip()
        return sel.upper() == self.code or sel.lower() == self.name


# Tombstones. A user's ignores, baselines and dashboards name rules by code and name; a new rule
# reusing a removed one's code would silently inherit suppressions written for a different check.
# Removing a rule = deleting its module and adding a line here; no rule has been removed yet.
RETIRED: tuple[Retired, ...] = ()


def retired(selector: str) -> Retired | None:
    """The tombstone of the removed rule `selector` names exactly (code or name), if any."""
    return next((t for t in RETIRED if t.names(selector)), None)


def check_tombstones(tombstones: Iterable[Retired], live: Iterable[Rule]) -> None:
    """Tombstones are well-formed, unique, and name no live rule; else ValueError (checked when rules load)."""
    seen: set[str] = set()
    live_keys = {k for r in live for k in (r.code, r.name)}
    for t in tombstones:
        if not _CODE.match(t.code) or not _NAME.match(t.name) or not t.reason.strip():
            raise ValueError(f"tombstone {t.code} {t.name} needs a code like IAM001, a kebab-case name and a reason")
        for key in (t.code, t.name):
            if key in seen:
                raise ValueError(f"tombstone {key} is listed twice")
            if key in live_keys:
                raise ValueError(f"retired rule {key} is registered again: a retired code or name is never reused")
            seen.add(key)


_REGISTRY: dict[str, Rule] = {}
_LOADED = False


def rule(
    code: str,
    name: str,
    *,
    title: str,
    category: Category,
    severity: Severity,
    cwe: tuple[int, ...] = (),
    owasp: tuple[str, ...] = (),
    references: tuple[str, ...] = (),
    phase: int = 0,
    needs: tuple[Fact, ...] = (),
) -> Callable[[Check], Check]:
    """Register a check function as a rule. Codes and names must be unique and well-formed."""

    def register(fn: Check) -> Check:
        if not _CODE.match(code):
            raise ValueError(f"rule code {code!r} must look like IAM001")
        if not _NAME.match(name):
            raise ValueError(f"rule name {name!r} must be kebab-case")
        for key in (code, name):
            tomb = retired(key)
            if tomb is not None:
                raise ValueError(
                    f"rule {code} {name}: {key} was retired on {tomb.retired.isoformat()} ({tomb.reason}); "
                    "retired codes and names are never reused, pick a new one"
                )
        for other in _REGISTRY.values():
            if other.code == code or other.name == name:
                if other.check.__qualname__ == fn.__qualname__ and other.check.__module__ == fn.__module__:
                    continue  # module re-imported (tests reloading): same rule
                raise ValueError(f"rule {code} {name} collides with {other.code} {other.name}")
        _REGISTRY[code] = Rule(
            code=code,
            name=name,
            title=title,
            category=category,
            severity=severity,
            check=fn,
            cwe=cwe,
            owasp=owasp,
            references=references,
            doc=inspect.cleandoc(fn.__doc__ or ""),
            phase=phase,
            needs=needs,
        )
        return fn

    return register


def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, sorted by code."""
    global _LOADED
    if not _LOADED:
        for module in RULE_MODULES:
            importlib.import_module(module)
        check_tombstones(RETIRED, _REGISTRY.values())
        _LOADED = True
    return tuple(sorted(_REGISTRY.values(), key=lambda r: r.code))


def find_rule(code_or_name: str) -> Rule | None:
    """A rule by its code (`AUTH001`, case-insensitive) or its name (`http-route-without-authorizer`)."""
    key = code_or_name.strip()
    for r in all_rules():
        if r.code == key.upper() or r.name == key.lower():
            return r
    return None


def matches(rule_: Rule, selector: str) -> bool:
    """Whether a selector (code, code prefix such as `IAM` or `IAM0`, or name) designates this rule."""
    sel = selector.strip()
    return rule_.name == sel.lower() or rule_.code.startswith(sel.upper())
