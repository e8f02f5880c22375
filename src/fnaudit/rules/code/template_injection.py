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
