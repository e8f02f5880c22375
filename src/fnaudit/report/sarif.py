"""The SARIF 2.1.0 report, for code-scanning services (GitHub, GitLab, Azure DevOps).

One run; `tool.driver.rules[]` describes every rule that ran (so a clean scan still says what
was checked), generated from the rules' own metadata and docs. Results carry a
`partialFingerprints` entry from our line-free fingerprint, so code scanning keeps an alert's
identity when lines move. Suppressed findings stay in the log with `suppressions[]`. Every string
is passed through `fnaudit.textsafe`: SARIF viewers render message text, and a control character or
bidi override in a message or path would act there.

Live-account scans (`fnaudit scan aws:`): a finding about a deployed resource (`Loc.is_resource`: an ARN and
a configuration key, no file) has no physicalLocation, since there is no artifact to open, but a logical
location of kind "resource" (SARIF 2.1.0 §3.33): `name` the key (or the resource's name when the finding is
about the resource as a whole) and `fullyQualifiedName` `<arn>/<key>` (or the ARN). A file inside a downloaded
code package (`<function arn>!/app.py`) is an artifact like any other, its path percent-encoded into a
relative URI as every path is; `%SRCROOT%` then has no folder to point at, only a description. (Code
scanning services that place alerts on repository files, GitHub's among them, expect a physicalLocation and
may refuse results without one: an account scan's SARIF is for viewers of logical locations.)
`partialFingerprints` carries the finding's fingerprint unchanged: it never holds a line, so a line-0
resource finding has one like any other.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from fnaudit import __version__
from fnaudit.account.target import is_account_target
from fnaudit.errors import Loss
from fnaudit.findings import Category, Severity
from fnaudit.model.loc import Loc
from fnaudit.report.json import write
from fnaudit.report.options import RenderOptions
from fnaudit.textsafe import clean_tree

if TYPE_CHECKING:
    from fnaudit.errors import ScanError
    from fnaudit.findings import Finding, Related, TraceStep
    from fnaudit.pipeline import ScanResult
    from fnaudit.rules.registry import Rule

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/fnaudit/fnaudit"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "fnaudit/v1"

# GitHub ranks alerts by `security-severity` (a CVSS-like 0–10 score): these sit in the middle of
# each of its bands (critical ≥ 9, high 7–8.9, medium 4–6.9, low 0.1–3.9).
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}
LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# Rules have no precision of their own yet. Checks over IaC values are exact; those that read code
# or guess at secrets and data flow can be wrong, and code scanning should know that.
_HEURISTIC = frozenset({Category.INJECTION, Category.SECRETS, Category.STATE, Category.LOGGING, Category.ATTACK_PATH})
# Inline comments and CFN Metadata live beside the code; config entries and baselines do not.
_SUPPRESSION_KIND = {"inline": "inSource", "metadata": "inSource", "config": "external", "baseline": "external"}


def render(result: ScanResult, out: TextIO, options: RenderOptions | None = None) -> None:
    write(document(result), out)


def document(result: ScanResult) -> dict[str, Any]:
    index = {r.code: i for i, r in enumerate(result.rules)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "fnaudit",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(r) for r in result.rules],
            }
        },
        "invocations": [
            {
                # A file we could not read is worth a notification, not a failed run: the rest was scanned.
                "executionSuccessful": True,
                "toolExecutionNotifications": [_notification(e) for e in result.errors],
            }
        ],
        "originalUriBaseIds": {SRCROOT: _srcroot(result.target)},
        "results": [_result(f, index) for f in result.findings],
        "columnKind": "unicodeCodePoints",
    }
    doc: dict[str, Any] = clean_tree({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]})
    return doc


def _rule(r: Rule) -> dict[str, Any]:
    doc = r.doc or r.title
    tags = ["security", r.category.value, *(f"external/cwe/cwe-{n}" for n in r.cwe), *r.owasp]
    out: dict[str, Any] = {
        "id": r.code,
        "name": r.name,
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": r.summary},
        "help": {"text": doc, "markdown": doc},
        "defaultConfiguration": {"level": LEVEL[r.severity]},
        "properties": {
            "tags": tags,
            "security-severity": SECURITY_SEVERITY[r.severity],
            "precision": "medium" if r.category in _HEURISTIC else "high",
        },
    }
    web = [ref for ref in r.references if ref.startswith("https://")]
    if web:
        out["helpUri"] = web[0]  # the rule's first reference until fnaudit has docs pages of its own
    return out


def _artifact(path: str) -> dict[str, Any]:
    return {"uri": quote(path), "uriBaseId": SRCROOT}


def _place(loc: Loc) -> dict[str, Any]:
    """The members of a SARIF `location` object that say where `loc` is: a physicalLocation (the file and,
    when known, its line), or for a deployed resource its logical location (see the module's docstring)."""
    if loc.is_resource:
        return {"logicalLocations": [_logical(loc)]}
    physical: dict[str, Any] = {"artifactLocation": _artifact(loc.path)}
    if loc.line > 0:
        physical["region"] = {"startLine": loc.line}
    return {"physicalLocation": physical}


def _logical(loc: Loc) -> dict[str, Any]:
    return {
        "name": loc.key or resource_name(loc.path),
        "fullyQualifiedName": f"{loc.path}/{loc.key}" if loc.key else loc.path,
        "kind": "resource",
    }


def resource_name(arn: str) -> str:
    """The last segment of an ARN, the resource's own name: `orders` of `arn:aws:lambda:…:function:orders`,
    `orders-role` of `arn:aws:iam::123456789012:role/service/orders-role`; the ARN itself if it ends in a separator."""
    return arn.replace("/", ":").rsplit(":", 1)[-1] or arn


def _result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {"ruleId": f.rule_id}
    if f.rule_id in index:
        out["ruleIndex"] = index[f.rule_id]
    out["level"] = LEVEL[f.severity]
    out["message"] = {"text": f.message}
    if f.location.path:
        out["locations"] = [_place(f.location)]
    out["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    if f.trace:
        out["codeFlows"] = [_code_flow(f)]
    props: dict[str, Any] = {"function": f.function, "severity": f.severity.value}
    if f.attribution:  # why no function is named: "unclaimed", in a file no function claims
        props["attribution"] = f.attribution
    if f.evidence:
        props["evidence"] = f.evidence  # already redacted by the rule
    if f.advisories:  # dependency findings: every advisory of the package version, as in the JSON report
        from fnaudit.report.json import advisory_doc

        props["advisories"] = [advisory_doc(a) for a in f.advisories]
    if f.problems:  # IAM findings, one per statement: every problem as its rule reported it, as in the JSON report
        from fnaudit.report.json import problem_doc

        props["problems"] = [problem_doc(p) for p in f.problems]
    if f.merged:  # fnaudit.merge: the findings of this location and cause, each with its own fingerprint
        from fnaudit.report.json import merged_doc

        props["merged"] = [merged_doc(m) for m in f.merged]
        props["merged_rules"] = [m.rule_id for m in f.merged]
    if f.related:  # an attack path's foothold, a result of its own too: a related location of the path
        out["relatedLocations"] = [_related(i, r) for i, r in enumerate(f.related, 1)]
    elif f.rule_id.startswith("CODE") and f.trace and f.trace[-1].loc != f.location:
        # a data flow reported at the call into a helper other functions share: the sink is where it ends
        out["relatedLocations"] = [_sink(f.trace[-1])]
    if f.shown_with is not None:
        props["shown_with"] = f.shown_with  # the attack path that shows this foothold
    out["properties"] = props
    if f.suppression is not None:
        out["suppressions"] = [
            {"kind": _SUPPRESSION_KIND.get(f.suppression.kind, "external"), "justification": f.suppression.reason}
        ]
    return out


def _related(n: int, r: Related) -> dict[str, Any]:
    return {
        "id": n,
        **_place(r.location),
        "message": {"text": f"{r.role}: {r.rule_id} (fingerprint {r.fingerprint})"},
    }


def _sink(step: TraceStep) -> dict[str, Any]:
    return {"id": 1, **_place(step.loc), "message": {"text": f"sink: {step.note}"}}


def _code_flow(f: Finding) -> dict[str, Any]:
    """The finding's data-flow trace (source → … → sink) as one thread flow, for code scanning's path view."""
    steps = []
    for i, step in enumerate(f.trace):
        location: dict[str, Any] = {"message": {"text": step.note}}
        if step.loc.path:
            location.update(_place(step.loc))
        kinds = ["source"] if i == 0 else ["sink"] if i == len(f.trace) - 1 else ["pass-through"]
        steps.append({"location": location, "kinds": kinds, "nestingLevel": 0, "executionOrder": i + 1})
    what = "attack path" if f.category.value == "attack-path" else "data flow"  # entry → foothold → reach steps
    return {
        "message": {"text": f"{what} of {f.rule_id}: {len(f.trace)} step(s)"},
        "threadFlows": [{"locations": steps}],
    }


# What an error cost decides how loudly it is said: a lost app or function fails the run (`--errors`).
_ERROR_LEVEL = {Loss.APP: "error", Loss.FUNCTION: "error", Loss.PARTIAL: "warning", Loss.NONE: "note"}


def _notification(e: ScanError) -> dict[str, Any]:
    note: dict[str, Any] = {
        "level": _ERROR_LEVEL[e.loss],
        "message": {"text": e.message},
        "descriptor": {"id": f"fnaudit/{e.stage}"},
    }
    if e.path:  # an error about a deployed resource (a live-account scan) names its ARN: a logical location
        note["locations"] = [_place(Loc(e.path))]
    return note


def _srcroot(target: str) -> dict[str, Any]:
    """Where finding paths are rooted: the scanned folder (the parent of a scanned file).

    The one filesystem look-up in any reporter: the result keeps the target as typed, and SARIF
    wants an absolute URI ending in '/'. Remote and live-account targets have no folder."""
    if is_account_target(target):  # a live account (`fnaudit scan aws:eu-west-1`): no folder on disk
        return {"description": {"text": f"files of the code packages deployed in {target}, as <function ARN>!/<path>"}}
    if "://" in target:
        return {"description": {"text": f"finding paths are relative to the scan of {target}"}}
    root = Path(target).resolve()
    if root.is_file():
        root = root.parent
    uri = root.as_uri()
    return {"uri": uri if uri.endswith("/") else uri + "/"}
