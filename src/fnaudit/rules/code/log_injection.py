"""CODE025: event data written to the logs unencoded (log injection)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.code import Flow
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import AppFlows, flow_hit, for_language, unclaimed_flow_hits
from fnaudit.rules.registry import Context, rule

_WHAT = "log injection (event text written to the log as it came: forged log lines, spoofed fields)"

_FIX = (
    "Log event data as a structured field (`logger.info('order', extra={'id': order_id})` with a JSON "
    "formatter such as Powertools Logger), or strip CR/LF from it first; never build the log message from it."
)
_FIX_NODE = (
    "Log event data as a structured field of a JSON logger (pino, winston's json format, Powertools Logger: "
    "`logger.info('order', { id })`), or strip CR/LF from it first; never build the log message from it."
)

# `print` writes to stdout, which Lambda ships to CloudWatch too, and CODE014 counts it as a leak; but it is
# not a logging call, has no log format to forge and no library lookups to trigger: log injection is about
# loggers (the front ends emit every log-ish call as a `log` event, print included, for CODE014's sake).
_NOT_LOGGERS = frozenset({"print"})


def _logged(flow: Flow) -> bool:
    return flow.sink.kind == ir.LOG and flow.sink.call not in _NOT_LOGGERS


def _severity(found: Severity) -> Severity:
    # Computed from a medium top (see `flow_hit`): medium is an attacker's text (public or behind an
    # authorizer: an authenticated caller is still a caller), low one level down; an internal trigger
    # (two levels: no attacker writes that event) is info. Log injection alone is low at most.
    return Severity.INFO if found is Severity.INFO else Severity.LOW


@rule(
    "CODE025",
    "log-injection",
    title="Event data is written to the logs unencoded",
    category=Category.LOGGING,
    severity=Severity.LOW,
    cwe=(117,),
    owasp=("SAS-1", "SAS-10"),
    references=(
        "https://owasp.org/www-community/attacks/Log_Injection",
        "https://docs.powertools.aws.dev/lambda/python/latest/core/logger/",
    ),
    needs=(Fact.CODE,),
)
def log_injection(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Event data passed to a logging call as it came: Python `logging.info/warning/error/…`, a logger's
    methods (`logger.info`, `log.error`, `logging.getLogger(...).warning`, Powertools `Logger`); in
    JavaScript/TypeScript `console.log/info/warn/error/…` and logger objects (winston, pino, bunyan:
    `logger.info`); in Java the log4j / slf4j / java.util.logging calls the Java front end reports.
    `print` is not a logging call here (CODE014 still reports a whole event printed).

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers
      deliver) through the function's own code to an argument of a logging call, with no sanitiser on the way
      (a numeric cast, a hash). One finding per function and log call line. Severity: low when the field comes
      from a caller (a public route or function URL, also behind an authorizer or with authentication in
      code); info when it comes from an internal trigger (queue, bucket, stream, schedule) or an unknown one.
      Code no function claims is reported with no function, at low.
    - **Evidence**: the message names the function, the event field, how it is reached (the trigger and its
      authorizer), the log call and its line; the trace lists every step from the event to the call.
    - **Stays quiet**: constants and values the code computed itself; numbers cast from the event (`int(x)`,
      `Number(x)`); `print`; the whole event logged (CODE014 reports it, and a JSON dump of an event cannot
      break a line).

    ## Why it matters

    A caller who controls text the function logs can write a newline and a forged entry (`\\nINFO user=admin
    login ok`) into CloudWatch, mislead whoever reads the logs, hide an attack in them, or break the parsers
    and alarms built on them (OWASP Serverless SAS-10, insufficient logging and monitoring). With a logging
    library that interprets what it logs (log4j-core before 2.17.1 and its `${jndi:…}` lookups), the same
    call runs the attacker's code: PATH005 reports that path.

    ## How to fix

    Log event data as a field of a structured (JSON) log record, where a newline is escaped, rather than in
    the message text; or remove CR/LF (and terminal escapes) before logging. Keep the logging library up to
    date.

    ## Example

    Bad:

    ```python
    logger.info("login failed for " + event["queryStringParameters"]["user"])
    ```

    Good:

    ```python
    logger.info("login failed", extra={"user": event["queryStringParameters"]["user"]})  # JSON formatter
    ```

    ## References

    - CWE-117: Improper Output Neutralization for Logs
    - OWASP Log Injection; OWASP Serverless Top 10, SAS-10 Insufficient Logging and Monitoring
    """
    context = AppFlows.of(app)
    for fn in app.functions:
        if fn.code_facts is None:
            continue
        fix = for_language(fn, _FIX, _FIX_NODE)
        # the whole event logged is CODE014's (a dict or JSON dump escapes the newlines in its strings)
        whole = {leak.loc for leak in fn.code_facts.log_leaks if leak.kind == "event"}
        for flow in fn.code_facts.flows:
            if _logged(flow) and flow.sink.loc not in whole:
                hit = flow_hit(fn, flow, Severity.MEDIUM, _WHAT, fix, context)
                yield replace(hit, severity=_severity(hit.severity or Severity.INFO))
    # code no function claims: the same, printed lines and whole events left out
    skip = {f.sink.loc for e in app.unclaimed for f in e.code_facts.flows if f.sink.kind == ir.LOG and not _logged(f)}
    skip |= {leak.loc for e in app.unclaimed for leak in e.code_facts.log_leaks if leak.kind == "event"}
    for hit in unclaimed_flow_hits(app, ir.LOG, Severity.MEDIUM, _WHAT, _FIX, _FIX_NODE):
        if hit.loc not in skip:
            yield replace(hit, severity=_severity(hit.severity or Severity.INFO))
