"""CODE013: exception text or stack traces returned to the caller."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.facts import Fact
from fnaudit.rules.code._common import trace, trace_text, unclaimed_hits
from fnaudit.rules.registry import Context, rule


@rule(
    "CODE013",
    "verbose-error",
    title="Exception details returned to the caller",
    category=Category.LOGGING,
    severity=Severity.MEDIUM,
    cwe=(209,),
    owasp=("SAS-10",),
    references=("https://owasp.org/www-project-serverless-top-10/",),
    needs=(Fact.CODE,),
)
def verbose_error(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    A handler reached over HTTP (or by an unknown trigger) that returns exception text
    (`str(e)`, `repr(e)`, `f"{e}"`) or a stack trace (`traceback.format_exc()`) in its response.

    In JavaScript/TypeScript: `err.message`, `err.stack` or the error itself (`String(err)`, `` `${err}`
    ``) in a returned response or one passed to `callback(null, response)`.

    In both languages, the response of another function it invoked (`lambda_client.invoke(...)["Payload"]`,
    SDK v3 `InvokeCommand` / v2 `lambda.invoke`) returned as is: when that function fails, its response is
    `errorMessage`, `errorType` and `stackTrace`. Not when the code reads `FunctionError` (it tells a failed
    invocation from a result) or invokes asynchronously (`InvocationType: Event`, nothing comes back).

    ## When it speaks

    - **Speaks when**: the code engine finds a response that carries exception text (`str(e)`, `repr(e)`,
      `f"{e}"`, `err.message`, `err.stack`), a stack trace (`traceback.format_exc()`) or the raw response of
      another function it invoked synchronously, and the function is reached over HTTP or by an unknown trigger.
      Medium when one of its HTTP triggers is public with no authorizer, low otherwise; confidence high with an
      HTTP trigger, low with an unknown one.
    - **Evidence**: the message names the function, the line of the response and what it contains (exception
      text, stack trace, an invoked function's error); the trace runs from the exception to the returned
      response.
    - **Stays quiet**: functions whose triggers are all internal (queue, bucket, stream, schedule: nobody reads
      their return value); errors logged rather than returned; a generic message returned instead; an invoked
      function's response whose `FunctionError` is checked, or an asynchronous invoke (`InvocationType: Event`).

    ## Why it matters

    Error details tell an attacker the code's structure, library versions, file paths, SQL text,
    table names, sometimes secrets: what they need to shape the next request (OWASP SAS-10,
    improper exception handling and verbose error messages).

    ## How to fix

    Log the exception (with its trace) and return a generic message with a correlation id, such
    as `context.aws_request_id`.

    ## Example

    Bad:

    ```python
    except Exception as e:
        return {"statusCode": 500, "body": json.dumps({"error": str(e)})}
    ```

    Good:

    ```python
    except Exception:
        logger.exception("order failed")
        return {"statusCode": 500, "body": json.dumps({"error": "internal error", "id": context.aws_request_id})}
    ```

    ## References

    - CWE-209: Generation of Error Message Containing Sensitive Information
    - OWASP Serverless Top 10, SAS-10 Improper Exception Handling and Verbose Error Messages
    """
    for fn in app.functions:
        if fn.code_facts is None or not fn.code_facts.verbose_errors:
            continue
        http = fn.http_triggers
        if fn.triggers and not http:
            continue  # nobody reads the return value of a queue or bucket invocation
        public = any(t.public and not t.is_authenticated for t in http)
        for v in fn.code_facts.verbose_errors:
            yield Hit(
                v.loc,
                f"function {fn.name}: the response returned at line {v.loc.line} contains {v.what}",
                function=fn.id,
                evidence=trace_text(v.steps),
                severity=Severity.MEDIUM if public else Severity.LOW,
                key=f"verbose:{v.what}",
                trace=trace(v.steps),
                confidence="high" if http else "low",
            )
    yield from unclaimed_hits(app, ctx, verbose_error, Severity.MEDIUM)  # code no function claims
