"""AWS SDK for Go (v1 and v2) calls → `SdkCall` facts (engines/code/go/sdk.py), unit by unit on parsed
packages, then end to end: a Go function's calls in a scan and in `fnaudit permissions`."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

import pytest

from fnaudit.cli import main
from fnaudit.engines.code.files import SourceFile
from fnaudit.engines.code.go.parse import GoParser
from fnaudit.engines.code.go.sdk import MULTIPART, extract, service_of
from fnaudit.model.code import SdkCall
from fnaudit.model.loc import Loc, Origin, Ref, RefKind, Value
from tests.code.helpers import fn, run, write_app

FIXTURES = Path(__file__).parent.parent.parent / "rules" / "fixtures" / "IAM010"
L = Loc("serverless.yml", 1)
ENV: Mapping[str, Value[str]] = {
    "TABLE": Value("orders", L),
    "BUCKET": Value(None, L, Origin.UNRESOLVED, Ref(RefKind.CLOUDFORMATION, "!Ref Uploads")),
    "QUEUE_URL": Value("https://sqs.eu-west-1.amazonaws.com/123456789012/jobs", L),
}
V2 = """\
package main

import (
\t"context"
\t"os"

\t"github.com/aws/aws-lambda-go/lambda"
\t"github.com/aws/aws-sdk-go-v2/aws"
\t"github.com/aws/aws-sdk-go-v2/config"
\t"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
\t"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
\t"github.com/aws/aws-sdk-go-v2/service/dynamodb"
\t"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
\t"github.com/aws/aws-sdk-go-v2/service/s3"
)
"""  # 15 lines: code starts on line 16
V1 = """\
package main

import (
\t"os"

\t"github.com/aws/aws-lambda-go/lambda"
\t"github.com/aws/aws-sdk-go/aws"
\t"github.com/aws/aws-sdk-go/aws/session"
\t"github.com/aws/aws-sdk-go/service/dynamodb/dynamodbattribute"
\t"github.com/aws/aws-sdk-go/service/s3"
\t"github.com/aws/aws-sdk-go/service/s3/s3manager"
\t"github.com/aws/aws-sdk-go/service/sqs"
\t"github.com/aws/aws-sdk-go/service/sqs/sqsiface"
)

var sess = session.Must(session.NewSession())
"""  # 16 lines: code starts on line 17


def _extract(*files: str, env: Mapping[str, Value[str]] = ENV) -> tuple[SdkCall, ...]:
    parser = GoParser()
    trees = []
    for i, source in enumerate(files):
        rel = f"f{i}.go"
        sf = SourceFile(Path("/nowhere") / rel, rel, source, hashlib.sha256(source.encode()).hexdigest())
        trees.append((rel, parser(sf)))
    return extract(trees, env)


def _triples(*files: str, env: Mapping[str, Value[str]] = ENV) -> list[tuple[str, str, str | None, int]]:
    return [(c.service, c.operation, c.resource, c.loc.line) for c in _extract(*files, env=env)]


def test_v2_client_in_a_struct_field_made_in_main_with_the_table_from_the_environment() -> None:
    src = (
        V2
        + """\
type Handler struct {
\tdb    *dynamodb.Client
\ttable string
}

func (h *Handler) Handle(ctx context.Context, id string) error {
\titem, _ := attributevalue.MarshalMap(map[string]string{"id": id})
\t_, err := h.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(h.table), Item: item})
\treturn err
}

func main() {
\tcfg, _ := config.LoadDefaultConfig(context.Background())
\th := &Handler{db: dynamodb.NewFromConfig(cfg), table: os.Getenv("TABLE")}
\tlambda.Start(h.Handle)
}
"""
    )
    # attributevalue.MarshalMap and config.LoadDefaultConfig are not API calls
    assert _triples(src) == [("dynamodb", "PutItem", "orders", 23)]


def test_v2_input_assigned_first_and_a_package_var_bucket_naming_a_cloudformation_resource() -> None:
    src = (
        V2
        + """\
var client = s3.NewFromConfig(aws.Config{})
var bucket = os.Getenv("BUCKET")

func handler(ctx context.Context, key string) error {
\tin := &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)}
\t_, err := client.GetObject(ctx, in)
\treturn err
}

func main() { lambda.Start(handler) }
"""
    )
    calls = _extract(src)
    assert [(c.service, c.operation, c.resource, c.loc.line) for c in calls] == [
        ("s3", "GetObject", "!Ref Uploads", 21)
    ]
    assert (calls[0].confidence, calls[0].reachable, calls[0].loc.path) == ("high", True, "f0.go")


def test_v2_paginator_uploader_downloader_waiter_and_presigner() -> None:
    src = (
        V2
        + """\
var c = s3.NewFromConfig(aws.Config{})

func handler(ctx context.Context) error {
\tp := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String("in-bucket")})
\t_ = p
\tup := manager.NewUploader(c)
\tup.Upload(ctx, &s3.PutObjectInput{Bucket: aws.String("out-bucket")})
\tmanager.NewDownloader(c).Download(ctx, nil, &s3.GetObjectInput{Bucket: aws.String("in-bucket")})
\ts3.NewObjectExistsWaiter(c).Wait(ctx, &s3.HeadObjectInput{Bucket: aws.String("out-bucket")}, 0)
\ts3.NewPresignClient(c).PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("in-bucket")})
\treturn nil
}

func main() { lambda.Start(handler) }
"""
    )
    calls = _extract(src)
    assert [(c.service, c.operation, c.resource, c.loc.line, c.confidence) for c in calls] == [
        ("s3", "ListObjectsV2", "in-bucket", 19, "high"),
        *sorted(("s3", op, "out-bucket", 22, "high") for op in MULTIPART),
        ("s3", "GetObject", "in-bucket", 23, "high"),
        ("s3", "HeadObject", "out-bucket", 24, "medium"),
        ("s3", "GetObject", "in-bucket", 25, "medium"),
    ]


def test_v1_suffixes_are_stripped_and_waiters_name_their_operation() -> None:
    src = (
        V1
        + """\
var svc = s3.New(sess)

func handler(ctx aws.Context) error {
\tsvc.PutObjectWithContext(ctx, &s3.PutObjectInput{Bucket: aws.String(os.Getenv("BUCKET"))})
\tsvc.ListObjectsV2PagesWithContext(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("b")}, page)
\treq, _ := svc.GetObjectRequest(&s3.GetObjectInput{Bucket: aws.String("b")})
\t_ = req
\treturn svc.WaitUntilObjectExists(&s3.HeadObjectInput{Bucket: aws.String("b")})
}

func page(out *s3.ListObjectsV2Output, last bool) bool { return true }

func main() { lambda.Start(handler) }
"""
    )
    assert _triples(src) == [
        ("s3", "PutObject", "!Ref Uploads", 20),
        ("s3", "ListObjectsV2", "b", 21),
        ("s3", "GetObject", "b", 22),
        ("s3", "HeadObject", "b", 24),
    ]


def test_v1_interface_typed_var_assigned_in_main_and_s3manager_uploader() -> None:
    src = (
        V1
        + """\
var queue sqsiface.SQSAPI

const queueEnv = "QUEUE_URL"

func handler(body string) error {
\tqueue.SendMessage(&sqs.SendMessageInput{QueueUrl: aws.String(os.Getenv(queueEnv)), MessageBody: &body})
\tu := s3manager.NewUploaderWithClient(s3.New(sess))
\t_, err := u.Upload(&s3manager.UploadInput{Bucket: aws.String("uploads")})
\tdynamodbattribute.MarshalMap(body)
\treturn err
}

func main() {
\tqueue = sqs.New(sess)
\tlambda.Start(handler)
}
"""
    )
    assert _triples(src) == [
        ("sqs", "SendMessage", "https://sqs.eu-west-1.amazonaws.com/123456789012/jobs", 22),
        *sorted(("s3", op, "uploads", 24) for op in MULTIPART),
    ]


def test_service_comes_from_the_import_path_and_go_names_map_to_botocore_names() -> None:
    src = """\
package main

import (
\t"context"

\t"github.com/aws/aws-lambda-go/lambda"
\t"github.com/aws/aws-sdk-go-v2/aws"
\tevb "github.com/aws/aws-sdk-go-v2/service/eventbridge"
\tawssfn "github.com/aws/aws-sdk-go-v2/service/sfn"
\t"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

func handler(ctx context.Context) error {
\tevb.NewFromConfig(aws.Config{}).PutEvents(ctx, &evb.PutEventsInput{})
\tsf := awssfn.New(awssfn.Options{})
\tsf.StartExecution(ctx, &awssfn.StartExecutionInput{StateMachineArn: aws.String("arn:aws:states:::sm")})
\tsm := secretsmanager.NewFromConfig(aws.Config{})
\tsm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("db-password")})
\treturn nil
}

func main() { lambda.Start(handler) }
"""
    assert _triples(src) == [
        ("events", "PutEvents", None, 14),
        ("stepfunctions", "StartExecution", "arn:aws:states:::sm", 16),
        ("secretsmanager", "GetSecretValue", "db-password", 18),
    ]


def test_go_package_names_map_to_botocore_service_names() -> None:
    names = ["s3", "sfn", "eventbridge", "cloudwatchlogs", "cognitoidentityprovider", "timestreamwrite", "nope"]
    assert [service_of(n) for n in names] == [
        "s3",
        "stepfunctions",
        "events",
        "logs",
        "cognito-idp",
        "timestream-write",
        None,
    ]


def test_clients_shared_across_files_of_the_package_and_a_parameter_typed_as_a_client() -> None:
    main_go = (
        V2
        + """\
var ddb *dynamodb.Client

func main() {
\tddb = dynamodb.NewFromConfig(aws.Config{})
\tlambda.Start(func(ctx context.Context) error { return save(ctx, ddb) })
}
"""
    )
    store_go = """\
package main

import (
\t"context"
\t"os"

\t"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func save(ctx context.Context, db *dynamodb.Client) error {
\t_, err := db.Query(ctx, &dynamodb.QueryInput{TableName: &table})
\treturn err
}

var table = os.Getenv("TABLE")
"""
    calls = _extract(main_go, store_go)
    assert [(c.service, c.operation, c.resource, c.loc.path, c.loc.line) for c in calls] == [
        ("dynamodb", "Query", "orders", "f1.go", 11)
    ]


def test_unreached_functions_give_unreachable_calls_and_callbacks_are_reached() -> None:
    src = (
        V2
        + """\
var c = s3.NewFromConfig(aws.Config{})

func handler(ctx context.Context) error { return each(ctx, visit) }

func each(ctx context.Context, f func(context.Context) error) error { return f(ctx) }

func visit(ctx context.Context) error {
\t_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kept")})
\treturn err
}

func cleanup(ctx context.Context) {
\tc.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("kept")})
}

func main() { lambda.Start(handler) }
"""
    )
    assert [(c.operation, c.loc.line, c.reachable) for c in _extract(src)] == [
        ("GetObject", 23, True),
        ("DeleteBucket", 28, False),
    ]


def test_unknown_service_is_low_confidence_and_types_and_non_operations_are_not_calls() -> None:
    src = """\
package main

import (
\t"context"

\t"github.com/aws/aws-lambda-go/lambda"
\t"github.com/aws/aws-sdk-go-v2/service/dynamodb"
\t"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
\t"github.com/aws/aws-sdk-go-v2/service/notarealservice"
)

func handler(ctx context.Context) error {
\tc := dynamodb.New(dynamodb.Options{})
\t_ = c.Options()
\t_ = types.AttributeValueMemberS{Value: "x"}
\tnotarealservice.New(notarealservice.Options{}).DoThing(ctx, nil)
\treturn nil
}

func main() { lambda.Start(handler) }
"""
    calls = _extract(src)
    assert [(c.service, c.operation, c.resource, c.loc.line, c.confidence) for c in calls] == [
        ("notarealservice", "DoThing", None, 16, "low")
    ]


def test_env_var_the_iac_does_not_set_and_a_name_with_two_values() -> None:
    src = (
        V2
        + """\
var c = s3.NewFromConfig(aws.Config{})

func handler(ctx context.Context, flag bool) error {
\tname, ok := os.LookupEnv("ARCHIVE")
\t_ = ok
\tc.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(name)})
\tb := "one"
\tif flag {
\t\tb = "two"
\t}
\tc.GetObject(ctx, &s3.GetObjectInput{Bucket: &b})
\treturn nil
}

func main() { lambda.Start(handler) }
"""
    )
    assert _triples(src) == [("s3", "PutObject", "${env:ARCHIVE}", 21), ("s3", "GetObject", None, 26)]


def test_locals_of_different_functions_with_one_name_are_kept_apart() -> None:
    src = (
        V2
        + """\
func archive(ctx context.Context, cfg aws.Config) {
\tc := s3.NewFromConfig(cfg)
\tname := "archive-bucket"
\tc.PutObject(ctx, &s3.PutObjectInput{Bucket: &name})
}

func record(ctx context.Context, cfg aws.Config) {
\tc := dynamodb.NewFromConfig(cfg)
\tname := os.Getenv("TABLE")
\tc.PutItem(ctx, &dynamodb.PutItemInput{TableName: &name})
\tc.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(name)})
}

func main() {
\tarchive(context.Background(), aws.Config{})
\tlambda.Start(record)
}
"""
    )
    assert _triples(src) == [
        ("s3", "PutObject", "archive-bucket", 19),
        ("dynamodb", "PutItem", "orders", 25),
        ("dynamodb", "Query", "orders", 26),
    ]


def test_a_local_that_is_not_a_client_shadows_a_package_client_of_the_same_name() -> None:
    src = (
        V2
        + """\
var db = dynamodb.NewFromConfig(aws.Config{})

type rows struct{}

func (rows) Query(ctx context.Context, q string) {}

func handler(ctx context.Context) {
\tdb := rows{}
\tdb.Query(ctx, "SELECT 1")
}

func main() { lambda.Start(handler) }
"""
    )
    assert _triples(src) == []


def test_a_receiver_of_the_applications_own_interface_is_mapped_by_the_input_type() -> None:
    src = (
        V2
        + """\
type objectGetter interface {
\tGetObject(context.Context, *s3.GetObjectInput, ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

func fetch(ctx context.Context, api objectGetter, key string) error {
\tin := &s3.GetObjectInput{Bucket: aws.String(os.Getenv("BUCKET")), Key: &key}
\t_, err := api.GetObject(ctx, in)
\tapi.Other(ctx, &s3.PutObjectInput{})
\treturn err
}

func main() { lambda.Start(fetch) }
"""
    )
    calls = _extract(src)
    # `Other` with a PutObjectInput is not an operation of its own: only the method its input names counts
    assert [(c.service, c.operation, c.resource, c.loc.line, c.confidence) for c in calls] == [
        ("s3", "GetObject", "!Ref Uploads", 22, "medium")
    ]


def test_a_client_returned_by_a_package_function() -> None:
    src = (
        V2
        + """\
func newStore(ctx context.Context) (*dynamodb.Client, error) {
\tcfg, err := config.LoadDefaultConfig(ctx)
\treturn dynamodb.NewFromConfig(cfg), err
}

func handler(ctx context.Context) error {
\tdb, err := newStore(ctx)
\tif err != nil {
\t\treturn err
\t}
\t_, err = db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("orders")})
\treturn err
}

func main() { lambda.Start(handler) }
"""
    )
    assert _triples(src) == [("dynamodb", "DeleteItem", "orders", 26)]


def test_one_field_name_holding_clients_of_two_services_is_resolved_by_the_input_type() -> None:
    src = (
        V2
        + """\
type images struct{ client *s3.Client }
type orders struct{ client *dynamodb.Client }

func (i images) get(ctx context.Context) {
\ti.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("imgs")})
}

func (o orders) put(ctx context.Context) {
\to.client.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders")})
}

func main() {
\tctx := context.Background()
\timages{}.get(ctx)
\torders{}.put(ctx)
}
"""
    )
    calls = _extract(src)
    assert [(c.service, c.operation, c.resource, c.loc.line, c.confidence) for c in calls] == [
        ("s3", "GetObject", "imgs", 20, "medium"),
        ("dynamodb", "PutItem", "orders", 24, "medium"),
    ]


def test_a_package_without_sdk_imports_gives_nothing() -> None:
    src = """\
package main

import "github.com/aws/aws-lambda-go/lambda"

type store struct{}

func (store) PutObject(x string) {}

func main() { lambda.Start(func() { store{}.PutObject("b") }) }
"""
    assert _extract(src) == ()


# End to end: the Go function's SDK calls in a scan, and the least privilege `fnaudit permissions` prints.


@pytest.mark.parametrize("app", ["bad/go-v1", "bad/go-v2", "good/go-v1", "good/go-v2"])
def test_permissions_prints_the_go_functions_needed_actions(capsys: pytest.CaptureFixture[str], app: str) -> None:
    code = main(["permissions", "resize", str(FIXTURES / app), "--format", "json"])
    out, _ = capsys.readouterr()
    assert code == 0
    granted = {(a, tuple(s["Resource"])) for s in json.loads(out)["Statement"] for a in s["Action"]}
    code_needs = {
        ("s3:GetObject", ("arn:aws:s3:::thumbs-prod/*",)),
        *((("s3:ListBucket", ("arn:aws:s3:::thumbs-prod",)),) if app.startswith("good") else ()),
    }
    # what the code calls, and what Lambda itself needs (logs, polling the trigger queue); no PutObject, no PutItem
    assert {g for g in granted if g[0].startswith("s3:") or g[0].startswith("dynamodb:")} == code_needs
    assert ("sqs:ReceiveMessage", ("arn:aws:sqs:eu-west-1:123456789012:thumbs-jobs",)) in granted
    assert ("logs:PutLogEvents", ("arn:aws:logs:*:*:log-group:/aws/lambda/resize:*",)) in granted


def test_a_scan_reports_the_calls_of_the_modules_own_packages_the_handler_imports(tmp_path: Path) -> None:
    functions = """\
api:
  handler: bootstrap
  runtime: provided.al2023
  environment:
    TABLE: orders
  events:
    - httpApi: POST /x
"""
    main_go = """\
package main

import (
\t"context"

\t"github.com/aws/aws-lambda-go/lambda"
\t"github.com/aws/aws-sdk-go-v2/service/dynamodb"

\t"example.com/items/internal/store"
)

func main() {
\ts := store.New(dynamodb.New(dynamodb.Options{}))
\tlambda.Start(func(ctx context.Context, id string) error { return s.Save(ctx, id) })
}
"""
    store_go = """\
package store

import (
\t"context"
\t"os"

\t"github.com/aws/aws-sdk-go-v2/aws"
\t"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

type Store struct{ db *dynamodb.Client }

func New(db *dynamodb.Client) *Store { return &Store{db: db} }

func (s *Store) Save(ctx context.Context, id string) error {
\t_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(os.Getenv("TABLE"))})
\treturn err
}
"""
    files = {"go.mod": "module example.com/items\n\ngo 1.22\n", "main.go": main_go, "internal/store/store.go": store_go}
    result = run(write_app(tmp_path, functions, files), select=("IAM010",))
    assert fn(result, "api").sdk_calls == (
        SdkCall("dynamodb", "PutItem", Loc("internal/store/store.go", 16), "orders", "high", True),
    )
