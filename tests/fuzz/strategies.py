"""Hypothesis strategies for structurally plausible IaC documents: serverless.yml, SAM and CloudFormation.

Each document has the shape its dialect expects (so discovery classifies it and the loader goes
deep), but any value may be replaced by something of the wrong type, null, a huge or odd string,
an intrinsic function in an odd place, or a Serverless variable. The point is to reach every
`isinstance` the loaders forgot, not to write valid IaC.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

# ---- leaves ------------------------------------------------------------------------------------

ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "*",
        "/",
        "..",
        "../../etc/passwd",
        "a" * 300,  # longer than a file name may be
        "x/" * 200 + "handler.main",
        "handler.",
        ".main",
        "handler.main.extra",
        "\u0000",
        "\ud7ff\ue000",
        "caf\u00e9",
        "\x1b[2J",
        "line\nbreak",
        "{{resolve:secretsmanager:db:SecretString:password}}",
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:lambda:us-east-1:123456789012:function:other",
        "arn:aws:iam::123456789012:role/r",
        "AWS::Lambda::Function",
        "AWS::Serverless::Function",
        "rate(5 minutes)",
        "GET /items/{id}",
        "ANY *",
        "-1",
        "1e309",
        "NONE",
        "AWS_IAM",
        "true",
    ]
)
VARIABLES = st.sampled_from(
    [
        "${self:custom.a}",
        "${self:custom.b}",
        "${self:custom.missing, 'fallback'}",
        "${self:provider.stage}",
        "${self:}",
        "${opt:stage, 'dev'}",
        "${opt:region}",
        "${sls:stage}",
        "${env:HOME}",
        "${param:p, 1}",
        "${ssm:/app/secret}",
        "${ssm:/aws/reference/secretsmanager/db}",
        "${cf:stack.Output}",
        "${aws:accountId}",
        "${file(./part.yml)}",
        "${file(./part.yml):a}",
        "${file(./missing.yml)}",
        "${file(../outside.yml)}",
        "${file(./resolver.js):value}",
        "${self:custom.${sls:stage}}",
        "${self:custom.a}-${self:custom.b}",
        "${unknown:thing}",
        "${",
        "${}",
        "${self:custom.list.0}",
        "${strToBool(true)}",
    ]
)
RUNTIMES = st.sampled_from(["python3.12", "python3.8", "nodejs20.x", "nodejs12.x", "java21", "provided.al2", "go1.x"])
HANDLERS = st.sampled_from(
    [
        "handler.main",
        "app.handler",
        "src/index.handler",
        "handler.missing",
        "nowhere.main",
        "a" * 300 + ".main",
        "deep/" * 60 + "handler.main",
        "../handler.main",
        "/etc/passwd.main",
        "handler",
        "src/index.mjs.handler",
    ]
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    ODD_TEXT,
    VARIABLES,
)


def intrinsics(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """CloudFormation intrinsic functions, with well- and ill-formed arguments."""
    name = st.sampled_from(["Fn", "Role", "Bucket", "Missing", "Api", "Param", "AWS::Region", "Table.Arn"])
    return st.one_of(
        st.builds(lambda n: {"Ref": n}, st.one_of(name, inner)),
        st.builds(lambda n, a: {"Fn::GetAtt": [n, a]}, name, st.sampled_from(["Arn", "StreamArn", "Url"])),
        st.builds(lambda a: {"Fn::GetAtt": a}, inner),
        st.builds(
            lambda s: {"Fn::Sub": s},
            st.one_of(
                st.sampled_from(["arn:${AWS::Partition}:s3:::${Bucket}/*", "${Missing}", "${!Literal}", "${"]), inner
            ),
        ),
        st.builds(lambda s, v: {"Fn::Sub": [s, v]}, st.text(max_size=10), inner),
        st.builds(lambda a: {"Fn::Join": a}, inner),
        st.builds(
            lambda sep, items: {"Fn::Join": [sep, items]}, st.sampled_from(["", ":", "/"]), st.lists(inner, max_size=3)
        ),
        st.builds(lambda c, a, b: {"Fn::If": [c, a, b]}, st.sampled_from(["IsProd", "Missing"]), inner, inner),
        st.builds(lambda a: {"Fn::If": a}, inner),
        st.builds(lambda a: {"Fn::FindInMap": a}, st.lists(inner, max_size=4)),
        st.builds(lambda a: {"Fn::Select": a}, st.lists(inner, max_size=3)),
        st.builds(lambda a: {"Fn::Split": a}, st.lists(inner, max_size=3)),
        st.builds(lambda a: {"Fn::ImportValue": a}, inner),
        st.builds(lambda a: {"Fn::Base64": a}, inner),
        st.builds(lambda a: {"Fn::GetAZs": a}, inner),
        st.builds(lambda a: {"Condition": a}, inner),
    )


def junk(max_leaves: int = 8) -> st.SearchStrategy[Any]:
    """Any value: scalars, lists, mappings, intrinsics, nested a little."""
    return st.recursive(
        SCALARS,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.dictionaries(st.one_of(st.text(max_size=8), ODD_TEXT, VARIABLES), inner, max_size=3),
            intrinsics(inner),
        ),
        max_leaves=max_leaves,
    )


JUNK = junk()


# One draw per example: a calm document has no junk in place of a plausible value (but its values
# are still odd: variables, intrinsics, long strings), so the loaders' deeper parts are reached too.
CALM = st.shared(st.booleans(), key="fnaudit-fuzz-calm")


def maybe(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the plausible value, sometimes anything at all (never in a calm document)."""
    wild = st.one_of(*([valid] * 7), JUNK)
    return CALM.flatmap(lambda calm: valid if calm else wild)


def mapping(
    fields: dict[str, st.SearchStrategy[Any]], required: tuple[str, ...] = (), most: int = 4
) -> st.SearchStrategy[Any]:
    """A mapping with the `required` keys (each usually present) and up to `most` of the other
    `fields`; each value plausible or not; rarely not a mapping at all."""
    optional = sorted(set(fields) - set(required))
    chosen = (
        st.lists(st.sampled_from(optional), unique=True, max_size=min(most, len(optional))) if optional else st.just([])
    )

    @st.composite
    def build(draw: st.DrawFn) -> Any:
        calm = draw(CALM)
        if not calm and draw(st.integers(0, 11)) == 11:
            return draw(JUNK)
        # The simplest draw (0) keeps a required key: Hypothesis favours simple draws, and a
        # document without its essential keys never reaches the deeper parts of a loader.
        keys = [k for k in required if calm or draw(st.integers(0, 9)) < 9] + draw(chosen)
        return {k: draw(fields[k]) for k in keys}

    return build()


# ---- IAM ---------------------------------------------------------------------------------------

STATEMENT = mapping(
    {
        "Effect": maybe(st.sampled_from(["Allow", "Deny"])),
        "Action": maybe(
            st.one_of(
                st.sampled_from(["*", "s3:*", "iam:PassRole", "lambda:UpdateFunctionCode", "s3:GetObject"]),
                st.lists(st.sampled_from(["*", "s3:Get*", "dynamodb:*"]), max_size=3),
            )
        ),
        "NotAction": maybe(st.sampled_from(["iam:*", ["s3:*"]])),
        "Resource": maybe(st.one_of(st.sampled_from(["*", "arn:aws:s3:::b/*"]), intrinsics(JUNK))),
        "NotResource": maybe(st.just("*")),
        "Principal": maybe(st.sampled_from(["*", {"AWS": "*"}, {"Service": "lambda.amazonaws.com"}])),
        "Condition": JUNK,
    },
    required=("Effect", "Action", "Resource"),
    most=2,
)
POLICY_DOCUMENT = mapping(
    {
        "Version": maybe(st.just("2012-10-17")),
        "Statement": maybe(st.one_of(st.lists(STATEMENT, max_size=3), STATEMENT)),
    },
    required=("Version", "Statement"),
)

# ---- Serverless Framework ---------------------------------------------------------------------

SLS_EVENT_TYPES = [
    "http",
    "httpApi",
    "s3",
    "sqs",
    "sns",
    "stream",
    "schedule",
    "eventBridge",
    "cognitoUserPool",
    "alb",
    "websocket",
    "kafka",
    "iot",
    "cloudwatchLog",
    "teleport",
]
SLS_EVENT_BODY = maybe(
    st.one_of(
        st.sampled_from(["GET /a", "*", "post /b/{id}", "arn:aws:sqs:us-east-1:1:q", "rate(1 hour)"]),
        mapping(
            {
                "path": maybe(st.sampled_from(["/a", "a/{b}", "*"])),
                "method": maybe(st.sampled_from(["get", "ANY", "*"])),
                "authorizer": maybe(
                    st.one_of(
                        st.sampled_from(["aws_iam", "authFn", "arn:aws:lambda:us-east-1:1:function:a"]),
                        mapping({"type": JUNK, "name": JUNK, "arn": JUNK}),
                    )
                ),
                "private": st.booleans(),
                "cors": JUNK,
                "arn": maybe(intrinsics(JUNK)),
                "bucket": JUNK,
                "type": maybe(st.sampled_from(["dynamodb", "kinesis"])),
                "schedule": JUNK,
                "conditions": mapping({"path": JUNK, "method": JUNK}),
                "rate": JUNK,
            }
        ),
    )
)
SLS_EVENT = st.one_of(st.builds(lambda k, v: {k: v}, st.sampled_from(SLS_EVENT_TYPES), SLS_EVENT_BODY), JUNK)
SLS_FUNCTION = mapping(
    {
        "handler": maybe(HANDLERS),
        "runtime": maybe(RUNTIMES),
        "events": maybe(st.lists(SLS_EVENT, max_size=4)),
        "environment": maybe(st.dictionaries(st.sampled_from(["A", "SECRET", "KEY", "TOKEN"]), JUNK, max_size=3)),
        "timeout": maybe(st.integers(-5, 2000)),
        "memorySize": JUNK,
        "reservedConcurrency": JUNK,
        "url": maybe(st.one_of(st.booleans(), mapping({"authorizer": JUNK, "cors": JUNK}))),
        "role": maybe(st.sampled_from(["MyRole", "arn:aws:iam::123456789012:role/r"])),
        "iamRoleStatements": maybe(st.lists(STATEMENT, max_size=2)),
        "layers": JUNK,
        "package": mapping({"artifact": JUNK, "individually": JUNK, "patterns": JUNK}),
        "image": JUNK,
        "destinations": mapping({"onFailure": JUNK}),
        "onError": JUNK,
        "tracing": JUNK,
        "logRetentionInDays": JUNK,
        "architecture": JUNK,
        "name": JUNK,
    },
    required=("handler", "events"),
)
SLS_PROVIDER = mapping(
    {
        "name": maybe(st.just("aws")),
        "runtime": maybe(RUNTIMES),
        "stage": maybe(st.sampled_from(["dev", "prod", "${opt:stage, 'dev'}"])),
        "region": maybe(st.sampled_from(["us-east-1", "${opt:region, 'eu-west-1'}"])),
        "environment": JUNK,
        "iam": mapping(
            {
                "role": maybe(
                    st.one_of(
                        st.sampled_from(["MyRole"]),
                        mapping(
                            {
                                "statements": maybe(st.lists(STATEMENT, max_size=3)),
                                "permissionsBoundary": JUNK,
                                "managedPolicies": JUNK,
                            }
                        ),
                    )
                )
            }
        ),
        "iamRoleStatements": maybe(st.lists(STATEMENT, max_size=3)),
        "httpApi": mapping({"authorizers": JUNK}),
        "endpointType": JUNK,
        "tracing": JUNK,
        "timeout": JUNK,
        "memorySize": JUNK,
        "logRetentionInDays": JUNK,
        "layers": JUNK,
        "stackTags": JUNK,
    },
    required=("name", "runtime"),
)


def cfn_resources(types: list[str], properties: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    resource = mapping(
        {
            "Type": maybe(st.sampled_from(types)),
            "Properties": properties,
            "Metadata": JUNK,
            "Condition": JUNK,
            "DependsOn": JUNK,
        },
        required=("Type", "Properties"),
        most=1,
    )
    names = st.sampled_from(["Fn", "Role", "Bucket", "Api", "Table", "Other", "Fn2", "Policy", "Perm", "Logs"])
    return maybe(st.dictionaries(names, resource, min_size=1, max_size=5))


CFN_TYPES = [
    "AWS::Lambda::Function",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::Lambda::Permission",
    "AWS::Lambda::Url",
    "AWS::Lambda::EventSourceMapping",
    "AWS::S3::Bucket",
    "AWS::SNS::Subscription",
    "AWS::Events::Rule",
    "AWS::ApiGatewayV2::Route",
    "AWS::ApiGateway::Method",
    "AWS::Logs::LogGroup",
    "AWS::DynamoDB::Table",
    "AWS::Lambda::Alias",
    "Custom::Thing",
]
CFN_PROPERTIES = mapping(
    {
        "Runtime": maybe(RUNTIMES),
        "Handler": maybe(HANDLERS),
        "Code": maybe(
            st.one_of(
                st.just("."),
                st.just("code.zip"),
                mapping({"S3Bucket": JUNK, "S3Key": JUNK, "ZipFile": JUNK, "ImageUri": JUNK}),
            )
        ),
        "Role": maybe(intrinsics(JUNK)),
        "Environment": mapping({"Variables": JUNK}),
        "Timeout": JUNK,
        "MemorySize": JUNK,
        "FunctionName": maybe(st.one_of(st.just("Fn"), intrinsics(JUNK))),
        "Principal": maybe(st.sampled_from(["*", "s3.amazonaws.com"])),
        "Action": JUNK,
        "AuthType": maybe(st.sampled_from(["NONE", "AWS_IAM"])),
        "TargetFunctionArn": maybe(intrinsics(JUNK)),
        "AssumeRolePolicyDocument": POLICY_DOCUMENT,
        "Policies": maybe(st.lists(mapping({"PolicyName": JUNK, "PolicyDocument": POLICY_DOCUMENT}), max_size=2)),
        "PolicyDocument": POLICY_DOCUMENT,
        "ManagedPolicyArns": JUNK,
        "PermissionsBoundary": JUNK,
        "Roles": JUNK,
        "NotificationConfiguration": JUNK,
        "Target": JUNK,
        "Targets": JUNK,
        "AuthorizationType": JUNK,
        "RetentionInDays": JUNK,
        "LoggingConfig": JUNK,
        "Layers": JUNK,
        "Architectures": JUNK,
        "TracingConfig": JUNK,
        "DeadLetterConfig": JUNK,
        "PackageType": maybe(st.sampled_from(["Zip", "Image"])),
    },
    required=("Runtime", "Handler", "Code", "Role"),
)

SAM_TYPES = [
    "AWS::Serverless::Function",
    "AWS::Serverless::Api",
    "AWS::Serverless::HttpApi",
    "AWS::Serverless::SimpleTable",
    "AWS::Serverless::LayerVersion",
    *CFN_TYPES[:6],
]
SAM_EVENT = mapping(
    {
        "Type": maybe(
            st.sampled_from(
                [
                    "Api",
                    "HttpApi",
                    "S3",
                    "SQS",
                    "SNS",
                    "Schedule",
                    "EventBridgeRule",
                    "DynamoDB",
                    "Kinesis",
                    "CloudWatchEvent",
                ]
            )
        ),
        "Properties": mapping(
            {
                "Path": maybe(st.sampled_from(["/a", "/{proxy+}"])),
                "Method": maybe(st.sampled_from(["get", "any"])),
                "RestApiId": maybe(intrinsics(JUNK)),
                "ApiId": maybe(intrinsics(JUNK)),
                "Auth": mapping({"Authorizer": JUNK, "ApiKeyRequired": JUNK}),
                "Bucket": maybe(intrinsics(JUNK)),
                "Events": JUNK,
                "Queue": JUNK,
                "Topic": JUNK,
                "Schedule": JUNK,
                "Pattern": JUNK,
                "Stream": JUNK,
                "StartingPosition": JUNK,
            },
            required=("Path", "Method"),
            most=2,
        ),
    },
    required=("Type", "Properties"),
)
SAM_FUNCTION_PROPERTIES = mapping(
    {
        "Runtime": maybe(RUNTIMES),
        "Handler": maybe(HANDLERS),
        "CodeUri": maybe(st.sampled_from([".", "src", "code.zip", "s3://bucket/key.zip", "../outside"])),
        "InlineCode": JUNK,
        "Events": maybe(st.dictionaries(st.sampled_from(["E1", "E2", "E3"]), SAM_EVENT, max_size=3)),
        "Policies": maybe(
            st.one_of(
                st.sampled_from(["AdministratorAccess", "AWSLambdaBasicExecutionRole"]),
                st.lists(
                    st.one_of(
                        st.sampled_from(["S3ReadPolicy", "AmazonS3FullAccess"]),
                        st.builds(lambda b: {"S3CrudPolicy": {"BucketName": b}}, JUNK),
                        POLICY_DOCUMENT,
                    ),
                    max_size=3,
                ),
            )
        ),
        "Role": maybe(intrinsics(JUNK)),
        "Environment": mapping({"Variables": JUNK}),
        "FunctionUrlConfig": mapping({"AuthType": maybe(st.sampled_from(["NONE", "AWS_IAM"])), "Cors": JUNK}),
        "Timeout": JUNK,
        "MemorySize": JUNK,
        "Tracing": JUNK,
        "Layers": JUNK,
        "PermissionsBoundary": JUNK,
        "ReservedConcurrentExecutions": JUNK,
        "PackageType": maybe(st.sampled_from(["Zip", "Image"])),
        "ImageUri": JUNK,
        "DeadLetterQueue": JUNK,
        "AutoPublishAlias": JUNK,
    },
    required=("Runtime", "Handler", "CodeUri", "Events"),
)


@st.composite
def serverless_documents(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {"service": draw(maybe(st.sampled_from(["svc", "${self:custom.a}"])))}
    optional = {
        "provider": SLS_PROVIDER,
        "functions": maybe(
            st.one_of(
                st.dictionaries(st.sampled_from(["hello", "world", "authFn", "a-b"]), SLS_FUNCTION, max_size=3),
                st.lists(st.dictionaries(st.sampled_from(["x", "y"]), SLS_FUNCTION, max_size=2), max_size=2),
            )
        ),
        "custom": mapping({"a": JUNK, "b": JUNK, "list": JUNK, "dev": JUNK}),
        "resources": maybe(
            st.one_of(
                mapping({"Resources": cfn_resources(CFN_TYPES, CFN_PROPERTIES), "Outputs": JUNK}),
                st.lists(st.one_of(st.just("${file(./part.yml)}"), JUNK), max_size=2),
            )
        ),
        "package": mapping({"artifact": JUNK, "individually": JUNK}),
        "params": JUNK,
        "plugins": JUNK,
    }
    for key, strategy in optional.items():
        if draw(st.booleans()) or key == "functions":
            doc[key] = draw(strategy)
    return doc


@st.composite
def sam_documents(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": draw(st.one_of(st.just("AWS::Serverless-2016-10-31"), st.just(["AWS::Serverless-2016-10-31"]))),
    }
    resource_props = st.one_of(SAM_FUNCTION_PROPERTIES, SAM_FUNCTION_PROPERTIES, CFN_PROPERTIES)
    resources = draw(cfn_resources(SAM_TYPES, resource_props))
    doc["Resources"] = (
        resources if isinstance(resources, dict) and resources else {"Fn": {"Type": "AWS::Serverless::Function"}}
    )
    if draw(st.booleans()):
        doc["Globals"] = draw(
            maybe(
                mapping(
                    {"Function": SAM_FUNCTION_PROPERTIES, "Api": mapping({"Auth": JUNK, "Cors": JUNK}), "HttpApi": JUNK}
                )
            )
        )
    if draw(st.booleans()):
        doc["Parameters"] = draw(
            maybe(
                st.dictionaries(
                    st.sampled_from(["Param", "Stage"]), mapping({"Type": JUNK, "Default": JUNK}), max_size=2
                )
            )
        )
    if draw(st.booleans()):
        doc["Conditions"] = draw(JUNK)
    return doc


@st.composite
def cloudformation_documents(draw: st.DrawFn) -> dict[str, Any]:
    doc: dict[str, Any] = {"AWSTemplateFormatVersion": "2010-09-09"}
    resources = draw(cfn_resources(CFN_TYPES, CFN_PROPERTIES))
    doc["Resources"] = (
        resources if isinstance(resources, dict) and resources else {"Fn": {"Type": "AWS::Lambda::Function"}}
    )
    for key, strategy in {
        "Parameters": st.dictionaries(
            st.sampled_from(["Param", "Stage"]), mapping({"Type": JUNK, "Default": JUNK}), max_size=2
        ),
        "Conditions": st.dictionaries(st.sampled_from(["IsProd", "Other"]), JUNK, max_size=2),
        "Mappings": JUNK,
        "Outputs": JUNK,
        "Description": JUNK,
    }.items():
        if draw(st.booleans()):
            doc[key] = draw(maybe(strategy))
    return doc


# Files the documents may refer to (`${file(./part.yml)}`, handlers, a zip artifact's name).
SIDE_FILES: dict[str, str] = {
    "part.yml": "a: 1\nb: ${self:custom.a}\nResources:\n  Extra:\n    Type: AWS::SNS::Topic\n",
    "handler.py": "import os\n\n\ndef main(event, context):\n    os.system(event['cmd'])\n    return {'statusCode': 200}\n",
    "app.py": "def handler(event, context):\n    return event\n",
    "src/index.js": "exports.handler = async (event) => ({ statusCode: 200, body: event.body });\n",
}
