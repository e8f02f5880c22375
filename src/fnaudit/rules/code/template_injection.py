"""CODE008: event data used as a template."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import flow_hits
from fnaudit.rules.registry import Context, rule

_FIX = "Keep templates constant and pass event data as render variables: `Template(PAGE).render(name=name)`."

_FIX_NODE = "Keep templates constant and pass event data as render data: `ejs.render(PAGE, { name })`, `Handlebars.compile(PAGE)({ name })`."


@rule(
    "CODE008",
    "template-injection",
    title="Event data is compiled as a template",
    category=Category.INJECTION,
    severity=Severity.CRITICAL,
    cwe=(1336,),
    owasp=("SAS-1",),
    references=("https://jinja.palletsprojects.com/en/stable/sandbox/",),
    needs=(Fact.CODE,),
)
def template_injection(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Event data used as the source of a Jinja2 template (`jinja2.Template(x)`,
    `Environment.from_string(x)`), a Mako template or Flask's `render_template_string`.

    In JavaScript/TypeScript: the template of `ejs.render`/`compile`, `pug.render`/`compile`,
    `Handlebars.compile`, `nunjucks.renderString`, `_.template`.

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers deliver)
      through the function's own code (assignments, string building, containers, calls into its modules and
      shared helpers) to the template source: `jinja2.Template`, `Environment.from_string`,
      `mako.template.Template`, `flask.render_template_string` (`ejs.render`, `Handlebars.compile`,
      `pug.compile`… in JavaScript), with no sanitiser (a numeric cast) on the way. One finding per flow (sink
      call, event field). Severity follows how the source is reached: critical from a public HTTP route or
      function URL with no authorizer; one level lower behind an authorizer, on a private API, or when the
      framework route declares authentication in code (`@login_required`, an auth middleware); two levels lower,
      one step less confident, from an internal trigger (queue, bucket, stream, schedule) or an unknown one. A
      flow from an internal trigger that another function of the app fills with its own event data is a
      second-order flow, reported at that writer's exposure one level lower. Code no function claims is reported
      with no function, one level below critical, the whole event taken as the source.
    - **Evidence**: the message names the function, the event field (`body.id`, `queryStringParameters.q`), how
      it is reached (the trigger and its authorizer), the sink call and its line; the trace lists every step
      from the event to the sink (with the writer's steps first for a second-order flow). The finding sits on
      the sink's line, or on the call in the function's own code when the sink is in a helper several functions
      share.
    - **Stays quiet**: a constant template rendered with event data as its variables
      (`Template(PAGE).render(name=name)`); templates loaded from files of the package by a constant name.

    ## Why it matters

    Template languages reach Python objects: `{{ cycler.__init__.__globals__.os.popen('id').read() }}`
    runs commands in the function (server-side template injection).

    ## How to fix

    The template is code: keep it constant (a file or a literal) and pass the event data as
    variables to `render()`.

    ## Example

    Bad:

    ```python
    greeting = event["queryStringParameters"]["greeting"]
    html = Template(greeting + " {{ name }}").render(name="you")
    ```

    Good:

    ```python
    greeting = event["queryStringParameters"]["greeting"]
    html = Template("{{ greeting }} {{ name }}").render(greeting=greeting, name="you")
    ```

    ## References

    - CWE-1336: Improper Neutralization of Special Elements Used in a Template Engine
    - OWASP Serverless Top 10, SAS-1 Function Event Data Injection
    """
    yield from flow_hits(app, ir.TEMPLATE, Severity.CRITICAL, "server-side template injection", _FIX, _FIX_NODE)
