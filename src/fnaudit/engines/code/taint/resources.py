"""What an environment variable names, for SDK calls that name a resource through one."""

from __future__ import annotations

from collections.abc import Mapping

from fnaudit.model.loc import Value

# Resource-naming parameters of AWS SDK calls, in order of preference (boto3 keywords; the
# JavaScript SDK uses the same names in its command inputs).
RESOURCE_PARAMETERS = (
    "TableName",
    "Bucket",
    "QueueUrl",
    "QueueName",
    "TopicArn",
    "TargetArn",
    "FunctionName",
    "StreamName",
    "StateMachineArn",
    "stateMachineArn",  # Step Functions spells its own in camel case (StartExecution, StartSyncExecution)
    "SecretId",
    "Name",
    "Names",
    "DeliveryStreamName",
    "EventBusName",
    "LogGroupName",
    "KeyId",
    "UserPoolId",
    "ClusterArn",
    "ResourceArn",
    "Resource",
    "RoleArn",
)


def env_resource(var: str, env: Mapping[str, Value[str]]) -> str:
    """What the IaC sets an environment variable to: a literal, a reference's text, or `${env:X}`."""
    v = env.get(var)
    if v is None:
        return f"${{env:{var}}}"
    if v.is_set:
        return str(v.value)
    if v.ref is not None:
        return v.ref.text
    return f"${{env:{var}}}"
