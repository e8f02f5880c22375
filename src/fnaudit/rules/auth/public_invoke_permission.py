"""AUTH003: a resource-based policy statement that lets any AWS principal invoke a function."""

from __future__ import annotations

from collections.abc import Iterator

from fnaudit.findings import Category, Hit, Severity
from fnaudit.model.app import App, anyone
from fnaudit.rules._common import by_dialect
from fnaudit.rules.registry import Context, rule

_URL_ACTIONS = frozenset({"lambda:invokefunctionurl"})


@rule(
    "AUTH003",
    "public-invoke-permission",
    title="Invoke permission granted to any principal",
    category=Category.AUTH,
    severity=Severity.HIGH,
    cwe=(284, 732),
    owasp=("SAS-2", "SAS-3"),
    references=(
        "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html",
        "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-permission.html",
    ),
)
def public_invoke_permission(app: App, ctx: Context) -> Iterator[Hit]:
    """## What it finds

    `AWS::Lambda::Permission` resources (and their serverless / SAM equivalents) whose principal
    is `*` (or `{"AWS": "*"}`) with neither `SourceArn` nor `SourceAccount` to narrow it: every
    AWS account in the world may call `lambda:InvokeFunction` on the function.

    A permission that only backs a function URL (`FunctionUrlAuthType` set, `InvokedViaFunctionUrl:
    true`, or the action `lambda:InvokeFunctionUrl`) is left to AUTH002, which reports the URL itself: reporting both
    would count one exposure twice. The finding is on the `Principal` line: the grant to narrow.

    ## When it speaks

    - **Speaks when**: an `AWS::Lambda::Permission` (or a permission the dialect generates) lets any principal
      (`*`, `{"AWS": "*"}`) invoke a function, with neither `SourceArn` nor `SourceAccount` to narrow it. Always
      high.
    - **Evidence**: the message names the function (or the function name as written when it is outside the app)
      and the action granted; the finding sits on the `Principal` line; the evidence is `Principal=… Action=…`.
    - **Stays quiet**: permissions for a named service or account; a `*` principal narrowed by `SourceArn` or
      `SourceAccount`; the permission that backs a function URL (`lambda:InvokeFunctionUrl`,
      `FunctionUrlAuthType`): AUTH002 judges the URL by its `AuthType`.

    ## Why it matters

    Any AWS customer can invoke the function directly through the Lambda API with an event of
    their choosing, bypassing API Gateway, its authorizers and its throttling.

    ## How to fix

    Name the principal that needs access (a service such as `s3.amazonaws.com` or an account ARN)
    and bind it to the source with `SourceArn` (and `SourceAccount` for S3). In CloudFormation:
    `Principal: s3.amazonaws.com`, `SourceArn: !GetAtt Bucket.Arn`, `SourceAccount: !Ref AWS::AccountId`.

    ## Example

    Bad (CloudFormation):

    ```yaml
    InvokeAll:
      Type: AWS::Lambda::Permission
      Properties:
        Action: lambda:InvokeFunction
        FunctionName: !Ref Worker
        Principal: "*"
    ```

    Good:

    ```yaml
    InvokeFromBucket:
      Type: AWS::Lambda::Permission
      Properties:
        Action: lambda:InvokeFunction
        FunctionName: !Ref Worker
        Principal: s3.amazonaws.com
        SourceArn: !GetAtt Uploads.Arn
        SourceAccount: !Ref AWS::AccountId
    ```

    ## References

    - CWE-284: Improper Access Control
    - CWE-732: Incorrect Permission Assignment for Critical Resource
    """
    by_name = {fn.name: fn for fn in app.functions}
    for perm in app.permissions:
        if not anyone(perm.principal) or perm.source_arn or perm.source_account:
            continue
        if perm.function_url_auth_type or perm.via_function_url or perm.action.strip().lower() in _URL_ACTIONS:
            continue  # backs a function URL: AUTH002 reports the URL
        fn = by_name.get(perm.function) if perm.function else None
        target = f"function {fn.name}" if fn else f"function {perm.function or '(outside this app)'}"
        yield Hit(
            perm.principal_loc or perm.loc,  # the `Principal` line is the one to narrow
            f"{target}: invoke permission grants {perm.action} to any principal (`*`) with no SourceArn or SourceAccount",
            function=fn.id if fn else None,
            evidence=f"Principal={perm.principal} Action={perm.action}",
            remediation=by_dialect(
                app,
                serverless=(
                    "In `resources:`, set `Principal` to the calling service or account and add `SourceArn` "
                    "(and `SourceAccount`) to the `AWS::Lambda::Permission`."
                ),
                sam="Set `Principal` to the calling service or account and add `SourceArn` (and `SourceAccount`).",
                cloudformation=(
                    "Set `Principal` to the calling service or account and add `SourceArn: <caller ARN>` "
                    "(and `SourceAccount: !Ref AWS::AccountId`)."
                ),
            ),
            key=f"{perm.function or ''}:{perm.action}",
        )
