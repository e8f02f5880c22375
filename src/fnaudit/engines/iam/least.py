"""Least privilege: the statements a function's code needs, scoped to the app's own resources.

`least_privilege(fn, app)` groups the function's needs (`used.needs`: SDK calls plus what Lambda
uses the role for, such as polling an SQS trigger) into statements, one per set of resources that
share the same actions. Rendering them for serverless.yml / SAM / CloudFormation / JSON is the
reporter's job (`fnaudit.report.permissions`); the result types are in `fnaudit.model.permissions`.
"""

from __future__ import annotations

from fnaudit.engines.iam import catalogue, used
from fnaudit.model.app import App, Function
from fnaudit.model.permissions import LeastPrivilege, LeastStatement


def least_privilege(fn: Function, app: App) -> LeastPrivilege:
    cat = catalogue.load()
    needs = used.needs(fn, app, cat)
    statements = []
    for actions, resources in used.group_statements(needs):
        unscoped = any(arn == "*" for arn, _ in resources) and any(cat.scopable(a) for a in actions)
        statements.append(LeastStatement(actions, resources, unscoped))
    return LeastPrivilege(
        function=fn.name,
        analysed=fn.code_facts is not None,
        statements=tuple(statements),
        calls=len(fn.sdk_calls),
        unknown=used.unknown_calls(fn, cat),
        log_group=f"arn:aws:logs:*:*:log-group:/aws/lambda/{deployed_name(fn, app)}:*",
    )


def deployed_name(fn: Function, app: App) -> str:
    """The name the function is deployed under: its `FunctionName` when the template writes one as text
    (CloudFormation, lowered Terraform `function_name`), else its logical name."""
    res = app.resources.get(fn.id.rsplit("#", 1)[-1])
    name = res.properties.get("FunctionName") if res is not None else None
    return name if isinstance(name, str) and name else fn.name
