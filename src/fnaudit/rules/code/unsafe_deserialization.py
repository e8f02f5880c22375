"""CODE004: event data deserialized with an unsafe deserializer."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.engines.code import ir
from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import flow_hits
from fnaudit.rules.registry import Context, rule

_FIX = "Deserialize event data with a data-only format: `json.loads`, `yaml.safe_load`; never pickle/dill/marshal/jsonpickle."

_FIX_NODE = "Deserialize event data with `JSON.parse`; never `node-serialize`'s `unserialize`; use js-yaml 4 (`load` is safe) or `safeLoad` on older versions."


@rule(
    "CODE004",
    "unsafe-deserialization",
    title="Event data is deserialized unsafely",
    category=Category.INJECTION,
    severity=Severity.CRITICAL,
    cwe=(502,),
    owasp=("SAS-1",),
    references=("https://docs.python.org/3/library/pickle.html", "https://pyyaml.org/wiki/PyYAMLDocumentation"),
    needs=(Fact.CODE,),
)
def unsafe_deserialization(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Event data passed to `pickle`/`dill`/`marshal` `load(s)`, `jsonpickle.decode`,
    `pandas.read_pickle`, `yaml.unsafe_load`, or `yaml.load` without a safe loader
    (`Loader=yaml.SafeLoader`).

    In JavaScript/TypeScript: `node-serialize` `unserialize`, `serialize-to-js` `deserialize`, and
    js-yaml `load` when the installed js-yaml is older than 4 or a full schema is passed (js-yaml 4's
    `load` is safe and not reported).

    ## When it speaks

    - **Speaks when**: the code engine follows a field of the function's event (the fields its triggers deliver)
      through the function's own code (assignments, string building, containers, calls into its modules and
      shared helpers) to an unsafe deserializer (`pickle`/`_pickle`/`cPickle`/`dill`/`marshal` `load(s)`,
      `jsonpickle.decode`, `pandas.read_pickle`, `yaml.load`/`load_all` without a safe loader,
      `yaml.unsafe_load`; `node-serialize` and unsafe js-yaml in JavaScript), with no sanitiser (a numeric cast,
      a hash) on the way. One finding per flow (sink call, event field). Severity follows how the source is
      reached: critical from a public HTTP route or function URL with no authorizer; one level lower behind an
      authorizer, on a private API, or when the framework route declares authentication in code
      (`@login_required`, an auth middleware); two levels lower, one step less confident, from an internal
      trigger (queue, bucket, stream, schedule) or an unknown one. A flow from an internal trigger that another
      function of the app fills with its own event data is a second-order flow, reported at that writer's
      exposure one level lower. Code no function claims is reported with no function, one level below critical,
      the whole event taken as the source.
    - **Evidence**: the message names the function, the event field (`body.id`, `queryStringParameters.q`), how
      it is reached (the trigger and its authorizer), the sink call and its line; the trace lists every step
      from the event to the sink (with the writer's steps first for a second-order flow). The finding sits on
      the sink's line, or on the call in the function's own code when the sink is in a helper several functions
      share.
    - **Stays quiet**: `yaml.load` with `SafeLoader`, `CSafeLoader`, `BaseLoader` or `CBaseLoader`;
      `yaml.safe_load`; `json.loads`; pickles read from the function's own package rather than the event.

    ## Why it matters

    These formats can describe objects whose construction runs code: a crafted message executes
    arbitrary Python in the function (SAS-1, event-data injection).

    ## How to fix

    Use JSON, or `yaml.safe_load`. If objects must travel, sign them (HMAC) and verify before
    loading, or rebuild them from plain data.

    ## Example

    Bad:

    ```python
    cart = pickle.loads(base64.b64decode(event["body"]))
    ```

    Good:

    ```python
    cart = json.loads(event["body"])
    ```

    ## References

    - CWE-502: Deserialization of Untrusted Data
    - Serverless Security Top 10, SAS-1 Function Event-Data Injection
    """
    yield from flow_hits(app, ir.DESERIALIZATION, Severity.CRITICAL, "unsafe deserialization", _FIX, _FIX_NODE)
