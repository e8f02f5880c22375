"""AWS SDK for Java (v1 and v2) calls → SdkCall (service, operation, resource), engines/code/java/sdk.py."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
import tree_sitter_java as tsj
from tree_sitter import Language, Node, Parser

from fnaudit import cli
from fnaudit.engines.code.java.sdk import extract
from fnaudit.model.app import Code, Function
from fnaudit.model.loc import Loc, Value
from tests.code.helpers import fn, run, write_app

_ENV = {"BUCKET": "uploads-bucket", "TABLE": "orders-table", "QUEUE": "https://sqs/q", "TOPIC": "arn:topic"}


def _parse(src: str) -> Node:
    root = Parser(Language(tsj.language())).parse(textwrap.dedent(src).encode()).root_node
    assert not root.has_error
    return root


def _function() -> Function:
    loc = Loc("template.yaml", 1)
    return Function(
        "template.yaml#Fn",
        "Fn",
        loc,
        Value("java21", loc),
        Value("com.acme.H::handleRequest", loc),
        Code("java", True),
        environment={k: Value(v, loc) for k, v in _ENV.items()},
    )


def _calls(src: str, *others: str) -> list[tuple[str, str, str | None, int, str]]:
    calls = extract(_parse(src), "H.java", _function(), tuple(_parse(o) for o in others))
    assert all(c.loc.path == "H.java" for c in calls)
    return [(c.service, c.operation, c.resource, c.loc.line, c.confidence) for c in calls]


def test_v2_s3_request_builder_with_env_bucket_and_static_field_client() -> None:
    src = """\
    import software.amazon.awssdk.services.s3.S3Client;
    import software.amazon.awssdk.services.s3.model.PutObjectRequest;
    public class H {
      private static final S3Client S3 = S3Client.builder().region(Region.US_EAST_1).build();
      public void handleRequest(Object in, Object ctx) {
        S3.putObject(PutObjectRequest.builder().bucket(System.getenv("BUCKET")).key("k").build(),
            RequestBody.fromString("x"));
      }
    }
    """
    assert _calls(src) == [("s3", "PutObject", "uploads-bucket", 6, "high")]


def test_v2_consumer_builder_lambda_literal_bucket_and_a_prebuilt_request() -> None:
    src = """\
    import software.amazon.awssdk.services.s3.*;
    public class H {
      private final S3Client s3 = S3Client.create();
      public void handleRequest(Object in, Object ctx) {
        s3.getObject(r -> r.bucket("reports").key("a"));
        GetObjectRequest req = GetObjectRequest.builder().key("b").bucket(BUCKET).build();
        s3.getObjectAsBytes(req);
      }
      static final String BUCKET = "archive";
    }
    """
    assert _calls(src) == [("s3", "GetObject", "reports", 5, "high"), ("s3", "GetObject", "archive", 7, "high")]


def test_v2_paginator_and_waiter_map_to_their_operations() -> None:
    src = """\
    import software.amazon.awssdk.services.s3.S3Client;
    public class H {
      S3Client s3 = S3Client.create();
      void run() {
        s3.listObjectsV2Paginator(b -> b.bucket(System.getenv("BUCKET")));
        s3.waiter().waitUntilObjectExists(b -> b.bucket("w").key("k"));
        s3.close();
      }
    }
    """
    assert _calls(src) == [
        ("s3", "ListObjectsV2", "uploads-bucket", 5, "high"),
        ("s3", "HeadObject", "w", 6, "medium"),
    ]


def test_v2_dynamodb_sqs_sns_secrets_lambda_clients_and_service_aliases() -> None:
    src = """\
    import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
    import software.amazon.awssdk.services.sqs.SqsClient;
    import software.amazon.awssdk.services.sns.SnsClient;
    import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
    import software.amazon.awssdk.services.lambda.LambdaAsyncClient;
    import software.amazon.awssdk.services.eventbridge.EventBridgeClient;
    import software.amazon.awssdk.services.sfn.SfnClient;
    public class H {
      DynamoDbClient ddb = DynamoDbClient.create();
      SqsClient sqs = SqsClient.create();
      SnsClient sns = SnsClient.builder().build();
      SecretsManagerClient sm = SecretsManagerClient.create();
      LambdaAsyncClient lam = LambdaAsyncClient.create();
      EventBridgeClient eb = EventBridgeClient.create();
      SfnClient sfn = SfnClient.create();
      void run() {
        ddb.query(QueryRequest.builder().tableName(System.getenv("TABLE")).build());
        sqs.sendMessage(r -> r.queueUrl(System.getenv("QUEUE")).messageBody("m"));
        sns.publish(PublishRequest.builder().message("m").topicArn(System.getenv("TOPIC")).build());
        sm.getSecretValue(r -> r.secretId("prod/db"));
        lam.invoke(r -> r.functionName("worker"));
        eb.putEvents(r -> r.entries(e));
        sfn.startExecution(r -> r.stateMachineArn("arn:sm"));
      }
    }
    """
    assert _calls(src) == [
        ("dynamodb", "Query", "orders-table", 17, "high"),
        ("sqs", "SendMessage", "https://sqs/q", 18, "high"),
        ("sns", "Publish", "arn:topic", 19, "high"),
        ("secretsmanager", "GetSecretValue", "prod/db", 20, "high"),
        ("lambda", "Invoke", "worker", 21, "high"),
        ("events", "PutEvents", None, 22, "high"),
        ("stepfunctions", "StartExecution", "arn:sm", 23, "high"),
    ]


def test_v2_enhanced_client_table_operations_name_the_table() -> None:
    src = """\
    import software.amazon.awssdk.enhanced.dynamodb.*;
    public class H {
      static final DynamoDbEnhancedClient ENH = DynamoDbEnhancedClient.builder().dynamoDbClient(c).build();
      private final DynamoDbTable<Order> table = ENH.table(System.getenv("TABLE"), TableSchema.fromBean(Order.class));
      void run(Order o) {
        table.putItem(o);
        table.getItem(Key.builder().partitionValue("1").build());
        table.index("byUser").query(q);
        ENH.table("audit", schema).scan();
        ENH.batchGetItem(b);
      }
    }
    """
    assert _calls(src) == [
        ("dynamodb", "PutItem", "orders-table", 6, "high"),
        ("dynamodb", "GetItem", "orders-table", 7, "high"),
        ("dynamodb", "Query", "orders-table", 8, "high"),
        ("dynamodb", "Scan", "audit", 9, "high"),
        ("dynamodb", "BatchGetItem", None, 10, "high"),
    ]


def test_v2_transfer_manager_upload_and_download() -> None:
    src = """\
    import software.amazon.awssdk.transfer.s3.S3TransferManager;
    public class H {
      S3TransferManager tm = S3TransferManager.create();
      void run() {
        tm.uploadFile(u -> u.putObjectRequest(p -> p.bucket(System.getenv("BUCKET")).key("k")).source(path));
        tm.downloadFile(DownloadFileRequest.builder().getObjectRequest(g -> g.bucket("in").key("k")).build());
      }
    }
    """
    assert _calls(src) == [("s3", "PutObject", "uploads-bucket", 5, "high"), ("s3", "GetObject", "in", 6, "high")]


def test_v1_builders_positional_arguments_and_request_objects() -> None:
    src = """\
    import com.amazonaws.services.s3.AmazonS3;
    import com.amazonaws.services.s3.AmazonS3ClientBuilder;
    import com.amazonaws.services.s3.model.GetObjectRequest;
    import com.amazonaws.services.dynamodbv2.AmazonDynamoDBClientBuilder;
    import com.amazonaws.services.dynamodbv2.AmazonDynamoDB;
    public class H {
      private final AmazonS3 s3 = AmazonS3ClientBuilder.defaultClient();
      private final AmazonDynamoDB dynamo = AmazonDynamoDBClientBuilder.standard().withRegion("eu-west-1").build();
      void run(String key) {
        s3.putObject(System.getenv("BUCKET"), key, "content");
        s3.getObject(new GetObjectRequest("reports", key));
        s3.getObjectAsString("reports", key);
        dynamo.putItem(new PutItemRequest().withTableName(System.getenv("TABLE")).withItem(item));
      }
    }
    """
    assert _calls(src) == [
        ("s3", "PutObject", "uploads-bucket", 10, "high"),
        ("s3", "GetObject", "reports", 11, "high"),
        ("s3", "GetObject", "reports", 12, "high"),
        ("dynamodb", "PutItem", "orders-table", 13, "high"),
    ]


def test_v1_sqs_sns_positional_and_new_client_constructor() -> None:
    src = """\
    import com.amazonaws.services.sqs.AmazonSQS;
    import com.amazonaws.services.sqs.AmazonSQSClientBuilder;
    import com.amazonaws.services.sns.AmazonSNSClient;
    public class H {
      AmazonSQS sqs;
      H() { this.sqs = AmazonSQSClientBuilder.defaultClient(); }
      void run() {
        sqs.sendMessage(System.getenv("QUEUE"), "body");
        new AmazonSNSClient().publish(System.getenv("TOPIC"), "msg");
      }
    }
    """
    assert _calls(src) == [
        ("sqs", "SendMessage", "https://sqs/q", 8, "high"),
        ("sns", "Publish", "arn:topic", 9, "high"),
    ]


def test_v1_dynamodb_mapper_reads_the_item_class_table_annotation() -> None:
    item = """\
    import com.amazonaws.services.dynamodbv2.datamodeling.DynamoDBTable;
    @DynamoDBTable(tableName = "orders")
    public class Order { }
    """
    src = """\
    import com.amazonaws.services.dynamodbv2.datamodeling.DynamoDBMapper;
    public class H {
      DynamoDBMapper mapper = new DynamoDBMapper(AmazonDynamoDBClientBuilder.defaultClient());
      void run(Order order) {
        mapper.save(order);
        mapper.load(Order.class, "1");
        mapper.scan(Order.class, new DynamoDBScanExpression());
        mapper.query(Unknown.class, q);
      }
    }
    """
    assert _calls(src, item) == [
        ("dynamodb", "PutItem", "orders", 5, "high"),
        ("dynamodb", "UpdateItem", "orders", 5, "high"),
        ("dynamodb", "GetItem", "orders", 6, "high"),
        ("dynamodb", "Scan", "orders", 7, "high"),
        ("dynamodb", "Query", None, 8, "high"),
    ]


def test_mapper_save_with_clobber_is_a_put_only() -> None:
    src = """\
    import com.amazonaws.services.dynamodbv2.datamodeling.*;
    @DynamoDBTable(tableName = "t1")
    class Row { }
    public class H {
      DynamoDBMapper mapper = new DynamoDBMapper(client, new DynamoDBMapperConfig(SaveBehavior.CLOBBER));
      void run() { mapper.save(new Row()); }
    }
    """
    assert _calls(src) == [("dynamodb", "PutItem", "t1", 6, "high")]


def test_injected_client_is_medium_confidence_and_unknown_env_var_is_kept_as_a_reference() -> None:
    src = """\
    import software.amazon.awssdk.services.kms.KmsClient;
    import software.amazon.awssdk.services.ssm.SsmClient;
    public class H {
      private final KmsClient kms;
      H(KmsClient kms) { this.kms = kms; }
      void run(SsmClient ssm) {
        kms.decrypt(r -> r.keyId(System.getenv("KEY_ID")));
        ssm.getParameter(r -> r.name("/app/flag"));
      }
    }
    """
    assert _calls(src) == [
        ("kms", "Decrypt", "${env:KEY_ID}", 7, "medium"),
        ("ssm", "GetParameter", "/app/flag", 8, "medium"),
    ]


def test_non_sdk_code_and_unknown_methods_give_nothing() -> None:
    src = """\
    import java.net.http.HttpClient;
    import software.amazon.awssdk.services.s3.S3Client;
    public class H {
      HttpClient http = HttpClient.newHttpClient();
      S3Client s3 = S3Client.create();
      void run() {
        http.send(req, handler);
        s3.serviceName();
        s3.notAnOperation("x");
        other.putObject("b", "k", "v");
      }
    }
    """
    assert _calls(src) == []


def test_enhanced_table_built_in_one_chain_from_the_client_factory() -> None:
    src = """\
    import software.amazon.awssdk.enhanced.dynamodb.DynamoDbEnhancedClient;
    import software.amazon.awssdk.enhanced.dynamodb.DynamoDbTable;
    public class H {
      private static final DynamoDbTable<Order> ORDERS = DynamoDbEnhancedClient.create()
          .table(System.getenv("TABLE"), TableSchema.fromBean(Order.class));
      void run() { ORDERS.deleteItem(key); }
    }
    """
    assert _calls(src) == [("dynamodb", "DeleteItem", "orders-table", 6, "high")]


_IAM010 = Path(__file__).parents[2] / "rules" / "fixtures" / "IAM010"


def _permissions(capsys: pytest.CaptureFixture[str], function: str, folder: Path) -> list[tuple[list[str], list[str]]]:
    code = cli.main(["permissions", function, str(folder), "-f", "json", "--no-color"])
    out, _ = capsys.readouterr()
    assert code == 0
    return [(s["Action"], s["Resource"]) for s in json.loads(out)["Statement"]]


def test_permissions_prints_the_java_v1_functions_needed_actions(capsys: pytest.CaptureFixture[str]) -> None:
    assert _permissions(capsys, "notify", _IAM010 / "bad" / "java-v1") == [
        (
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            ["arn:aws:logs:*:*:log-group:/aws/lambda/notify:*"],
        ),
        (["dynamodb:GetItem"], ["arn:aws:dynamodb:*:*:table/orders"]),
        (["s3:GetObject"], ["arn:aws:s3:::notifier-templates/*"]),
        (["sns:Publish"], ["arn:aws:sns:eu-west-1:123456789012:alerts"]),
        (["sqs:SendMessage"], ["arn:aws:sqs:*:*:notifications"]),
    ]


def test_permissions_prints_the_java_v2_functions_needed_actions_on_the_templates_resources(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _permissions(capsys, "Archive", _IAM010 / "bad" / "java-v2") == [
        (
            ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            ["arn:aws:logs:*:*:log-group:/aws/lambda/Archive:*"],
        ),
        (["dynamodb:GetItem"], ["arn:aws:dynamodb:*:*:table/Orders"]),
        (["s3:PutObject"], ["arn:aws:s3:::Uploads/*"]),
    ]


def test_client_from_a_factory_method_and_a_fully_qualified_class() -> None:
    src = """\
    import software.amazon.awssdk.services.sqs.SqsClient;
    public class H {
      private static SqsClient sqs() { return SqsClient.builder().build(); }
      void run() {
        sqs().deleteMessage(r -> r.queueUrl(System.getenv("QUEUE")).receiptHandle(h));
        software.amazon.awssdk.services.kinesis.KinesisClient.create().putRecord(r -> r.streamName("clicks"));
      }
    }
    """
    assert _calls(src) == [
        ("sqs", "DeleteMessage", "https://sqs/q", 5, "high"),
        ("kinesis", "PutRecord", "clicks", 6, "high"),
    ]


def test_s3_presigner_needs_the_presigned_operation() -> None:
    src = """\
    import software.amazon.awssdk.services.s3.presigner.S3Presigner;
    public class H {
      S3Presigner presigner = S3Presigner.create();
      String url() {
        return presigner.presignGetObject(p -> p.signatureDuration(d).getObjectRequest(g -> g.bucket("media").key("k")))
            .url().toString();
      }
    }
    """
    assert _calls(src) == [("s3", "GetObject", "media", 5, "medium")]


def test_scan_credits_the_calls_of_the_project_classes_the_handler_reaches(tmp_path: Path) -> None:
    """The hook in the Java analyser: a repository class in another file, its mapper item class in a third."""
    write_app(
        tmp_path,
        """\
        orders:
          handler: com.acme.Api::handleRequest
          runtime: java21
          environment:
            AUDIT_TOPIC: arn:aws:sns:eu-west-1:123456789012:audit
        """,
        {
            "pom.xml": "<project><artifactId>api</artifactId></project>\n",
            "src/main/java/com/acme/Api.java": """\
            package com.acme;

            import software.amazon.awssdk.services.sns.SnsClient;

            public class Api {
                private final SnsClient sns = SnsClient.create();
                private final Repo repo = new Repo();

                public String handleRequest(java.util.Map<String, String> event, Object context) {
                    Order order = repo.find(event.get("id"));
                    sns.publish(r -> r.topicArn(System.getenv("AUDIT_TOPIC")).message("read"));
                    return order.toString();
                }
            }
            """,
            "src/main/java/com/acme/Repo.java": """\
            package com.acme;

            import com.amazonaws.services.dynamodbv2.AmazonDynamoDBClientBuilder;
            import com.amazonaws.services.dynamodbv2.datamodeling.DynamoDBMapper;

            public class Repo {
                private final DynamoDBMapper mapper = new DynamoDBMapper(AmazonDynamoDBClientBuilder.defaultClient());

                public Order find(String id) {
                    return mapper.load(Order.class, id);
                }
            }
            """,
            "src/main/java/com/acme/Order.java": """\
            package com.acme;

            @com.amazonaws.services.dynamodbv2.datamodeling.DynamoDBTable(tableName = "orders")
            public class Order {
            }
            """,
        },
    )
    calls = fn(run(tmp_path), "orders").sdk_calls
    assert [(c.service, c.operation, c.resource, c.loc.path, c.loc.line) for c in calls] == [
        ("sns", "Publish", "arn:aws:sns:eu-west-1:123456789012:audit", "src/main/java/com/acme/Api.java", 11),
        ("dynamodb", "GetItem", "orders", "src/main/java/com/acme/Repo.java", 10),
    ]


def test_v1_document_api_tables_and_indexes() -> None:
    src = """\
    import com.amazonaws.services.dynamodbv2.AmazonDynamoDBClientBuilder;
    import com.amazonaws.services.dynamodbv2.document.DynamoDB;
    import com.amazonaws.services.dynamodbv2.document.Table;
    public class H {
      static final DynamoDB DB = new DynamoDB(AmazonDynamoDBClientBuilder.defaultClient());
      void run() {
        Table table = DB.getTable(System.getenv("TABLE"));
        table.putItem(item);
        table.getIndex("byUser").query("user", "u1");
        DB.batchWriteItem(items);
      }
    }
    """
    assert _calls(src) == [
        ("dynamodb", "PutItem", "orders-table", 8, "high"),
        ("dynamodb", "Query", "orders-table", 9, "high"),
        ("dynamodb", "BatchWriteItem", None, 10, "high"),
    ]


def test_an_unrelated_table_class_is_not_a_dynamodb_table() -> None:
    src = """\
    import com.amazonaws.services.s3.AmazonS3;
    import com.example.db.Table;
    public class H {
      void run(Table table) { table.putItem(row); table.query("x"); }
    }
    """
    assert _calls(src) == []


def test_v1_and_v2_package_names_map_to_botocore_services() -> None:
    src = """\
    import com.amazonaws.services.simplesystemsmanagement.AWSSimpleSystemsManagementClientBuilder;
    import com.amazonaws.services.kinesisfirehose.AmazonKinesisFirehoseClientBuilder;
    import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
    import software.amazon.awssdk.services.s3.S3AsyncClient;
    public class H {
      void run() {
        AWSSimpleSystemsManagementClientBuilder.defaultClient().getParameter(new GetParameterRequest().withName("/p"));
        AmazonKinesisFirehoseClientBuilder.defaultClient().putRecord(new PutRecordRequest()
            .withDeliveryStreamName("f"));
        CloudWatchLogsClient.create().putLogEvents(r -> r.logGroupName("/app"));
        S3AsyncClient.crtBuilder().build().deleteObject(r -> r.bucket("tmp"));
      }
    }
    """
    assert _calls(src) == [
        ("ssm", "GetParameter", "/p", 7, "high"),
        ("firehose", "PutRecord", "f", 8, "high"),
        ("logs", "PutLogEvents", "/app", 10, "high"),
        ("s3", "DeleteObject", "tmp", 11, "high"),
    ]


def test_resource_values_through_optional_getenv_map_and_another_classes_constant() -> None:
    config = """\
    public final class Config {
      public static final String QUEUE = System.getenv("QUEUE");
    }
    """
    src = """\
    import software.amazon.awssdk.services.sqs.SqsClient;
    public class H {
      static final SqsClient SQS = SqsClient.create();
      private final String bucket = Optional.ofNullable(System.getenv("BUCKET")).orElse("fallback");
      void run() {
        SQS.sendMessage(r -> r.queueUrl(Config.QUEUE));
        SQS.purgeQueue(r -> r.queueUrl(System.getenv().getOrDefault("QUEUE", "q")));
        SQS.getQueueUrl(r -> r.queueName(Objects.requireNonNull(bucket)));
      }
    }
    """
    assert _calls(src, config) == [
        ("sqs", "SendMessage", "https://sqs/q", 6, "high"),
        ("sqs", "PurgeQueue", "https://sqs/q", 7, "high"),
        ("sqs", "GetQueueUrl", "uploads-bucket", 8, "high"),
    ]


def test_mapper_table_name_override_from_the_environment_wins_over_the_annotation() -> None:
    src = """\
    import com.amazonaws.services.dynamodbv2.datamodeling.*;
    @DynamoDBTable(tableName = "placeholder")
    class Row { }
    public class H {
      static final DynamoDBMapper MAPPER = new DynamoDBMapper(client, DynamoDBMapperConfig.builder()
          .withTableNameOverride(DynamoDBMapperConfig.TableNameOverride.withTableNameReplacement(System.getenv("TABLE")))
          .build());
      void run(String id) { MAPPER.load(Row.class, id); }
    }
    """
    assert _calls(src) == [("dynamodb", "GetItem", "orders-table", 8, "high")]
