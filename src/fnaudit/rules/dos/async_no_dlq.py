"""DOS004: asynchronously invoked functions whose failed events vanish."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App
from fnaudit.model.loc import Value
from fnaudit.rules._common import by_dialect
from fnaudit.rules.registry import Context, rule


@rule(
    "DOS004",
    "async-without-failure-destination",
    title="Asynchronous function without a dead-letter queue or on-failure destination",
    category=Category.AVAILABILITY,
    severity=Severity.INFO,
    cwe=(754,),
    owasp=("SAS-8", "SAS-5"),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html",
        "https://www.serverless.com/framework/docs/providers/aws/guide/functions#destinations",
    ),
)
def async_without_failure_destination(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    Functions invoked asynchronously (S3 notifications, SNS, EventBridge rules and schedules,
    IoT rules, CloudWatch Logs subscriptions) that configure neither a dead-letter queue nor an
    on-failure destination.

    A hygiene check, reported at `info`: the table and the Markdown comment count these in one line
    per app (`--show info` lists them); JSON, SARIF and HTML list them in full.

    ## When it speaks

    - **Speaks when**: a function has an asynchronous trigger (S3 notifications, SNS, EventBridge rules,
      schedules, IoT rules, CloudWatch Logs subscriptions) and neither a dead-letter queue nor an on-failure
      destination. Info.
    - **Evidence**: the message names the function and its asynchronous sources; the finding sits on the
      function; the evidence is `async triggers: …; DLQ: none; on-failure destination: none`.
    - **Stays quiet**: functions invoked only synchronously or by event source mappings (SQS, Kinesis, DynamoDB
      streams keep failed batches on the source); a DLQ or destination set, or given by a value the loader
      cannot resolve.

    ## Why it matters

    Lambda retries a failed asynchronous event twice and then drops it. Without a DLQ or an
    on-failure destination the event is lost silently: an order never processed, an upload never
    scanned. An attacker who can make the handler fail (a malformed object, a poison message) can
    make events disappear without a trace, and a burst of failures is invisible.

    ## How to fix

    Send failed events somewhere durable and alarm on it. In serverless.yml:
    `destinations: {onFailure: arn:aws:sqs:...}` (or `onError:` for a DLQ) on the function. In
    SAM: `EventInvokeConfig: {DestinationConfig: {OnFailure: {Type: SQS, Destination: ...}}}` or
    `DeadLetterQueue: {Type: SQS, TargetArn: ...}`. In CloudFormation: `DeadLetterConfig:
    {TargetArn: ...}` on the function, or an `AWS::Lambda::EventInvokeConfig` with
    `DestinationConfig.OnFailure`.

    ## Example

    Bad (serverless.yml):

    ```yaml
    functions:
      thumbnail:
        handler: thumbs.make
        events:
          - s3: uploads
    ```

    Good:

    ```yaml
    functions:
      thumbnail:
        handler: thumbs.make
        destinations:
          onFailure: arn:aws:sqs:eu-west-1:123456789012:thumbnail-failures
        events:
          - s3: uploads
    ```

    ## References

    - CWE-754: Improper Check for Unusual or Exceptional Conditions
    """
    for fn in app.functions:
        async_triggers = [t for t in fn.triggers if t.kind.is_async]
        if not async_triggers or _configured(fn.dead_letter) or _configured(fn.on_failure):
            continue
        sources = ", ".join(sorted({t.describe for t in async_triggers}))
        yield Hit(
            fn.loc,
            f"function {fn.name} is invoked asynchronously ({sources}) and has no dead-letter queue or "
            "on-failure destination: events that fail after retries are dropped",
            function=fn.id,
            evidence=f"async triggers: {sources}; DLQ: none; on-failure destination: none",
            remediation=by_dialect(
                app,
                serverless=f"Add `destinations: {{onFailure: <SQS/SNS/EventBridge ARN>}}` (or `onError: <DLQ ARN>`) to {fn.name}.",
                sam=(
                    "Add `EventInvokeConfig: {DestinationConfig: {OnFailure: {Type: SQS, Destination: <ARN>}}}` "
                    "or `DeadLetterQueue: {Type: SQS, TargetArn: <ARN>}` to the function."
                ),
                cloudformation=(
                    "Add `DeadLetterConfig: {TargetArn: <ARN>}` to the function, or an `AWS::Lambda::EventInvokeConfig` "
                    "with `DestinationConfig: {OnFailure: {Destination: <ARN>}}`."
                ),
            ),
            key="failure-destination",
        )


def _configured(value: Value[str]) -> bool:
    return value.is_set or value.is_unresolved
