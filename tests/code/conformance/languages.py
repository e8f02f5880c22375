"""The conformance scenarios, written once per language. Add a language by adding one `Language`.

Every scenario is the same program in each language, laid out so that the lines that matter (the
sink, the helper's sink, the log call) are on the same line numbers: the suite then asserts that
every language gives exactly the expected findings (rule, file, line), so any two languages agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Language:
    name: str
    runtime: str  # the function's runtime in serverless.yml
    file: str  # the handler file; its handler is `<stem>.handler`
    scenarios: Mapping[str, str]  # scenario name -> source of the handler file
    # scenario -> what the front end still lacks for it: the scenario runs and is an xfail until it passes
    gaps: Mapping[str, str] = field(default_factory=dict)


# Scenario -> the findings every language must give: (rule, line in the handler file).
EXPECTED: dict[str, frozenset[tuple[str, int]]] = {
    # event data straight into a SQL query
    "direct_source_to_sink": frozenset({("CODE001", 5)}),
    # a numeric cast sanitises it: nothing to report
    "sanitiser_stops_it": frozenset(),
    # tainted on one branch, constant on the other: the join keeps the taint
    "branch_join_keeps_taint": frozenset({("CODE001", 9)}),
    # the sink is inside a helper; the helper's summary carries the event to it
    "helper_summary": frozenset({("CODE001", 4)}),
    # a secret-named environment variable logged (CODE014); a resource-naming one is not a secret
    "env_secret_logged": frozenset({("CODE014", 5)}),
    # the env var names the table the SDK call reads: no code finding, an SDK call on the IaC's table
    "env_var_names_resource": frozenset(),
}

# Scenario -> (service, operation, resource) SDK calls every language must report.
EXPECTED_SDK: dict[str, frozenset[tuple[str, str, str | None]]] = {
    "env_var_names_resource": frozenset({("dynamodb", "GetItem", "orders-table")}),
}

PYTHON = Language(
    "python",
    "python3.12",
    "app.py",
    {
        "direct_source_to_sink": """\
import sqlite3
db = sqlite3.connect(":memory:")
def handler(event, context):
    q = event["body"]
    return db.execute("SELECT * FROM t WHERE a = '" + q + "'")
""",
        "sanitiser_stops_it": """\
import sqlite3
db = sqlite3.connect(":memory:")
def handler(event, context):
    n = int(event["body"])
    return db.execute("SELECT * FROM t WHERE a = %d" % n)
""",
        "branch_join_keeps_taint": """\
import sqlite3
db = sqlite3.connect(":memory:")
def handler(event, context):
    if event.get("headers"):
        q = event["body"]
    else:
        q = "1"
    # both branches flow on
    return db.execute("SELECT * FROM t WHERE a = " + q)
""",
        "helper_summary": """\
import sqlite3
db = sqlite3.connect(":memory:")
def find(term):
    return db.execute("SELECT * FROM t WHERE a = '" + term + "'")
def handler(event, context):
    return find(event["body"])
""",
        "env_secret_logged": """\
import os
def handler(event, context):
    table = os.environ["TABLE_NAME"]
    key = os.environ["DB_PASSWORD"]
    print("starting", table, key)
    return {"statusCode": 200}
""",
        "env_var_names_resource": """\
import os
import boto3
table = boto3.resource("dynamodb").Table(os.environ["TABLE"])
def handler(event, context):
    return table.get_item(Key={"id": "1"})
""",
    },
)

JAVASCRIPT = Language(
    "javascript",
    "nodejs22.x",
    "app.js",
    {
        "direct_source_to_sink": """\
const mysql = require("mysql2/promise");
const db = mysql.createPool({});
exports.handler = async (event) => {
  const q = event.body;
  return db.query("SELECT * FROM t WHERE a = '" + q + "'");
};
""",
        "sanitiser_stops_it": """\
const mysql = require("mysql2/promise");
const db = mysql.createPool({});
exports.handler = async (event) => {
  const n = parseInt(event.body, 10);
  return db.query("SELECT * FROM t WHERE a = " + n);
};
""",
        "branch_join_keeps_taint": """\
const mysql = require("mysql2/promise");
const db = mysql.createPool({});
exports.handler = async (event) => {
  let q;
  if (event.headers) {
    q = event.body;
  } else {
    q = "1";
  } return db.query("SELECT * FROM t WHERE a = " + q);
};
""",
        "helper_summary": """\
const mysql = require("mysql2/promise");
const db = mysql.createPool({});
function find(term) {
  return db.query("SELECT * FROM t WHERE a = '" + term + "'");
}
exports.handler = async (event) => find(event.body);
""",
        "env_secret_logged": """\
exports.handler = async (event) => {
  const table = process.env.TABLE_NAME;
  const key = process.env.DB_PASSWORD;
  // both are read from the environment; only one is a secret
  console.log("starting", table, key);
  return { statusCode: 200 };
};
""",
        "env_var_names_resource": """\
const { DynamoDBClient, GetItemCommand } = require("@aws-sdk/client-dynamodb");
const client = new DynamoDBClient({});
exports.handler = async (event) => {
  const cmd = new GetItemCommand({ TableName: process.env.TABLE, Key: { id: { S: "1" } } });
  return client.send(cmd);
};
""",
    },
)

# Go: the imports share line 1 (`;` ends a Go statement) so that the sinks fall on the same lines.
_GO_SQL = (
    'package main; import ("database/sql"; "fmt"; "strconv"; '
    '"github.com/aws/aws-lambda-go/events"; "github.com/aws/aws-lambda-go/lambda")\n'
    "var db *sql.DB; var _, _ = fmt.Sprint, strconv.Itoa\n"
)

GO = Language(
    "go",
    "go1.x",
    "main.go",
    {
        "direct_source_to_sink": _GO_SQL
        + """\
func handler(req events.APIGatewayV2HTTPRequest) (*sql.Rows, error) {
	q := req.Body
	return db.Query("SELECT * FROM t WHERE a = '" + q + "'")
}
func main() { lambda.Start(handler) }
""",
        "sanitiser_stops_it": _GO_SQL
        + """\
func handler(req events.APIGatewayV2HTTPRequest) (*sql.Rows, error) {
	n, _ := strconv.Atoi(req.Body)
	return db.Query(fmt.Sprintf("SELECT * FROM t WHERE a = %d", n))
}
func main() { lambda.Start(handler) }
""",
        "branch_join_keeps_taint": _GO_SQL
        + """\
func handler(req events.APIGatewayV2HTTPRequest) (*sql.Rows, error) {
	var q string
	if len(req.Headers) > 0 {
		q = req.Body
	} else { q = "1" }
	// both branches flow on
	return db.Query("SELECT * FROM t WHERE a = " + q)
}
func main() { lambda.Start(handler) }
""",
        "helper_summary": _GO_SQL
        + """\
func find(term string) (*sql.Rows, error) {
	return db.Query("SELECT * FROM t WHERE a = '" + term + "'")
}
func handler(req events.APIGatewayV2HTTPRequest) (*sql.Rows, error) { return find(req.Body) }
func main() { lambda.Start(handler) }
""",
        "env_secret_logged": """\
package main; import ("fmt"; "os"; "github.com/aws/aws-lambda-go/events"; "github.com/aws/aws-lambda-go/lambda")
func handler(req events.APIGatewayV2HTTPRequest) (int, error) {
	table := os.Getenv("TABLE_NAME")
	key := os.Getenv("DB_PASSWORD")
	fmt.Println("starting", table, key)
	return 200, nil
}
func main() { lambda.Start(handler) }
""",
        "env_var_names_resource": """\
package main; import ("context"; "os"; "github.com/aws/aws-lambda-go/lambda"; "github.com/aws/aws-sdk-go-v2/aws"; \
"github.com/aws/aws-sdk-go-v2/service/dynamodb"; "github.com/aws/aws-sdk-go-v2/service/dynamodb/types")
var client = dynamodb.New(dynamodb.Options{})
func handler(ctx context.Context, event map[string]any) (*dynamodb.GetItemOutput, error) {
	return client.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(os.Getenv("TABLE")), Key: key})
}
var key = map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "1"}}
func main() { lambda.Start(handler) }
""",
    },
)

# Java: the handler `handler.handler` names the class `handler` in `handler/handler.java` (its method
# `handleRequest`, the default); the class opens on line 2 so that the sinks fall on the same lines.
_JDBC = "import java.sql.*;\npublic class handler { static Connection db;\n"
_ENTRY = "  public Object handleRequest(APIGatewayV2HTTPEvent event, Context context) throws Exception {\n"

JAVA = Language(
    "java",
    "java21",
    "handler/handler.java",
    {
        "direct_source_to_sink": _JDBC
        + _ENTRY
        + """\
    String q = event.getBody();
    return db.createStatement().executeQuery("SELECT * FROM t WHERE a = '" + q + "'");
  }
}
""",
        "sanitiser_stops_it": _JDBC
        + _ENTRY
        + """\
    int n = Integer.parseInt(event.getBody());
    return db.createStatement().executeQuery("SELECT * FROM t WHERE a = " + n);
  }
}
""",
        "branch_join_keeps_taint": _JDBC
        + _ENTRY
        + """\
    String q;
    if (event.getHeaders() != null) {
      q = event.getBody();
    } else {
      q = "1";
    } return db.createStatement().executeQuery("SELECT * FROM t WHERE a = " + q);
  }
}
""",
        "helper_summary": _JDBC
        + """\
  static Object find(String term) throws Exception {
    return db.createStatement().executeQuery("SELECT * FROM t WHERE a = '" + term + "'");
  }
  public Object handleRequest(APIGatewayV2HTTPEvent e, Context c) throws Exception { return find(e.getBody()); }
}
""",
        "env_secret_logged": """\
public class handler {
  public Object handleRequest(APIGatewayV2HTTPEvent event, Context context) {
    String table = System.getenv("TABLE_NAME");
    String key = System.getenv("DB_PASSWORD");
    System.out.println("starting " + table + " " + key);
    return 200;
  }
}
""",
        "env_var_names_resource": """\
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.*;
public class handler { static final DynamoDbClient client = DynamoDbClient.create();
  public Object handleRequest(APIGatewayV2HTTPEvent event, Context context) {
    return client.getItem(GetItemRequest.builder().tableName(System.getenv("TABLE")).key(KEY).build());
  }
  static final java.util.Map<String, AttributeValue> KEY = java.util.Map.of("id", AttributeValue.fromS("1"));
}
""",
    },
)

# Kotlin: `handler.handler` names the class `handler` in `handler/handler.kt` (its `handleRequest`), as for Java.
_KT_JDBC = "import java.sql.Connection\nclass handler { lateinit var db: Connection\n"
_KT_ENTRY = "  fun handleRequest(event: APIGatewayV2HTTPEvent, context: Context): Any {\n"

KOTLIN = Language(
    "kotlin",
    "java21",
    "handler/handler.kt",
    {
        "direct_source_to_sink": _KT_JDBC
        + _KT_ENTRY
        + """\
    val q = event.body
    return db.createStatement().executeQuery("SELECT * FROM t WHERE a = '$q'")
  }
}
""",
        "sanitiser_stops_it": _KT_JDBC
        + _KT_ENTRY
        + """\
    val n = event.body.toInt()
    return db.createStatement().executeQuery("SELECT * FROM t WHERE a = $n")
  }
}
""",
        "branch_join_keeps_taint": _KT_JDBC
        + _KT_ENTRY
        + """\
    val q: String
    if (event.headers != null) {
      q = event.body
    } else {
      q = "1"
    } return db.createStatement().executeQuery("SELECT * FROM t WHERE a = " + q)
  }
}
""",
        "helper_summary": _KT_JDBC
        + """\
  fun find(term: String): Any {
    return db.createStatement().executeQuery("SELECT * FROM t WHERE a = '" + term + "'")
  }
  fun handleRequest(e: APIGatewayV2HTTPEvent, c: Context): Any = find(e.body)
}
""",
        "env_secret_logged": """\
class handler {
  fun handleRequest(event: APIGatewayV2HTTPEvent, context: Context): Any {
    val table = System.getenv("TABLE_NAME")
    val key = System.getenv("DB_PASSWORD")
    println("starting $table $key")
    return 200
  }
}
""",
        "env_var_names_resource": """\
import software.amazon.awssdk.services.dynamodb.DynamoDbClient
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest
class handler { val client = DynamoDbClient.create()
  fun handleRequest(event: APIGatewayV2HTTPEvent, context: Context): Any {
    return client.getItem(GetItemRequest.builder().tableName(System.getenv("TABLE")).key(KEY).build())
  }
  val KEY = mapOf("id" to AttributeValue.fromS("1"))
}
""",
    },
)

LANGUAGES = (PYTHON, JAVASCRIPT, GO, JAVA, KOTLIN)
