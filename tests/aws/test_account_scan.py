"""`fnaudit scan aws:` end to end, against moto's server: the fixture account, its twin repository, failures.

Every call goes to the local emulator (`aws_env`); only the code packages come through the documented hook
(`FNAUDIT_AWS_PACKAGE_DIR`), because moto returns a `Code.Location` it does not serve.
"""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import boto3
import jsonschema
import pytest

from fnaudit.cli import main
from tests.aws.account import SHOP, BuiltAccount, build_account, change_setting, corrupt_zip, zip_slip_zip
from tests.aws.conftest import AwsEnv
from tests.aws.proxy import Rule, throttling_proxy

DATE = "2026-12-06"
ARN = "arn:aws:lambda:eu-west-1:123456789012:function:"
SARIF_SCHEMA = json.loads((Path(__file__).parents[1] / "report" / "sarif-schema-2.1.0.json").read_text("utf-8"))
POLICY = json.loads((Path(__file__).parents[2] / "docs" / "aws-readonly-policy.json").read_text("utf-8"))


def _scan(
    endpoint: str,
    account: BuiltAccount,
    tmp: Path,
    monkeypatch: pytest.MonkeyPatch,
    *args: str,
    packages: dict[str, bytes] | None = None,
    fmt: str = "json",
) -> tuple[int, Any]:
    """`fnaudit scan aws:eu-west-1` through `endpoint`; its exit code and report."""
    monkeypatch.setenv("FNAUDIT_AWS_PACKAGE_DIR", str(account.write_packages(tmp / "packages", packages)))
    out = tmp / f"report.{fmt}"
    code = main(
        ["scan", "aws:eu-west-1", "--endpoint-url", endpoint, "-f", fmt, "-o", str(out), "--date", DATE, "-q", *args]
    )
    return code, json.loads(out.read_text("utf-8"))


def _pairs(report: dict[str, Any]) -> set[tuple[str, str | None]]:
    return {(f["rule_id"], f.get("function")) for f in report["findings"]}


def _aws_errors(report: dict[str, Any]) -> list[dict[str, str]]:
    return [e for e in report["errors"] if e["stage"] == "aws"]


@pytest.fixture
def account(aws_env: AwsEnv) -> BuiltAccount:
    return build_account(aws_env.endpoint)


def test_account_scan_reports_what_the_repository_scan_reports(
    aws_env: AwsEnv, account: BuiltAccount, aws_advisory_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deployed twin of tests/aws/fixtures/shop gives the same findings (rule, function) as the repository."""
    code, report = _scan(aws_env.endpoint, account, tmp_path, monkeypatch, "--db", str(aws_advisory_store))
    repo_out = tmp_path / "repo.json"
    main(["scan", str(SHOP), "-f", "json", "-o", str(repo_out), "--date", DATE, "-q", "--db", str(aws_advisory_store)])
    repository = json.loads(repo_out.read_text("utf-8"))
    assert code == 1
    assert _aws_errors(report) == []  # everything was read
    assert _pairs(report) == _pairs(repository)
    assert ("DEP001", "OrdersFunction") in _pairs(report)  # the package's lockfile, matched offline
    assert ("CODE001", "OrdersFunction") in _pairs(report)
    assert report["target"] == "aws:eu-west-1"
    assert {f["name"] for f in report["functions"]} == {"OrdersFunction", "ReceiptsFunction", "OrderWorkerFunction"}


def test_locations_name_the_resource_and_key_or_the_file_in_the_package(
    aws_env: AwsEnv, account: BuiltAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, report = _scan(aws_env.endpoint, account, tmp_path, monkeypatch)
    where = {(f["rule_id"], f.get("function")): f["location"] for f in report["findings"]}
    assert where["SECRET001", "OrdersFunction"] == {
        "path": ARN + "OrdersFunction",
        "line": 0,
        "key": "Environment.Variables.DB_PASSWORD",
    }
    assert where["AUTH002", "ReceiptsFunction"] == {
        "path": ARN + "ReceiptsFunction",
        "line": 0,
        "key": "FunctionUrlConfig.AuthType",
    }
    assert where["RUNTIME001", "ReceiptsFunction"] == {"path": ARN + "ReceiptsFunction", "line": 0, "key": "Runtime"}
    assert where["AUTH003", "ReceiptsFunction"]["key"] == "Policy.Statement.ReceiptsInvokePermission.Principal"
    assert where["IAM002", None] == {
        "path": "arn:aws:iam::123456789012:role/shop-api-role",
        "line": 0,
        "key": "Policies.shop-api-data.PolicyDocument.Statement[0]",
    }
    code_line = next(
        n for n, text in enumerate((SHOP / "orders" / "app.py").read_text().splitlines(), 1) if "execute(" in text
    )
    assert where["CODE001", "OrdersFunction"] == {"path": ARN + "OrdersFunction!/app.py", "line": code_line}
    route = where["AUTH001", "OrdersFunction"]
    assert route["path"].startswith("arn:aws:apigateway:eu-west-1::/apis/") and "/routes/" in route["path"]
    assert route["key"] == "AuthorizationType"
    # nothing in the report names the private folder the account was rendered into
    text = json.dumps(report)
    assert "template.json" not in text and "fnaudit-aws-" not in text and "packages/" not in text
    coverage = {c["name"]: c for c in report["coverage"]["functions"]}
    assert coverage["OrdersFunction"]["code_files"] == [ARN + "OrdersFunction!/app.py"]


def test_sarif_of_an_account_is_schema_valid_with_logical_locations(
    aws_env: AwsEnv, account: BuiltAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, sarif = _scan(aws_env.endpoint, account, tmp_path, monkeypatch, fmt="sarif")
    jsonschema.validate(sarif, SARIF_SCHEMA)
    results = sarif["runs"][0]["results"]
    secret = next(r for r in results if r["ruleId"] == "SECRET001")
    assert secret["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == (
        ARN + "OrdersFunction/Environment.Variables.DB_PASSWORD"
    )
    assert "physicalLocation" not in secret["locations"][0]


def test_function_filter(
    aws_env: AwsEnv, account: BuiltAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, report = _scan(aws_env.endpoint, account, tmp_path, monkeypatch, "--function", "Orders*")
    assert {f["name"] for f in report["functions"]} == {"OrdersFunction"}
    assert {f.get("function") for f in report["findings"]} <= {"OrdersFunction", None}


def test_access_denied_is_an_error_entry_and_the_scan_goes_on(
    aws_env: AwsEnv, account: BuiltAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    denied = Rule("lambda", "GetPolicy", code="AccessDeniedException", status=403, message="not authorized")
    with throttling_proxy(aws_env.endpoint, [denied]) as proxy:
        code, report = _scan(proxy.url, account, tmp_path, monkeypatch)
    errors = _aws_errors(report)
    assert {e["path"] for e in errors} == {
        ARN + n for n in ("OrdersFunction", "ReceiptsFunction", "OrderWorkerFunction")
    }
    assert all(
        e["message"].startswith("access denied: lambda:GetPolicy was refused (AccessDeniedException)") for e in errors
    )
    assert all(e["loss"] == "partial" for e in errors)
    pairs = _pairs(report)
    assert ("AUTH003", "ReceiptsFunction") not in pairs  # the resource policy was not read…
    assert ("AUTH002", "ReceiptsFunction") in pairs  # …everything else was
    assert ("SECRET001", "OrdersFunction") in pairs
    assert code == 1  # findings decide; a partial read does not fail the run


def test_listing_denied_loses_the_region_and_fails_the_run(
    aws_env: AwsEnv, account: BuiltAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    denied = Rule("lambda", "ListFunctions", code="AccessDeniedException", status=403)
    with throttling_proxy(aws_env.endpoint, [denied]) as proxy:
        code, report = _scan(proxy.url, account, tmp_path, monkeypatch)
    [error] = [e for e in _aws_errors(report) if "ListFunctions" in e["message"]]
    assert error["path"] == "aws:123456789012:eu-west-1" and error["loss"] == "app"
    assert report["functions"] == []
    assert code == 2  # an unread region must not pass a CI gate


def test_throttling_is_retried_then_reported(
    aws_env: AwsEnv, account: BuiltAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_retry_delay: None
) -> None:
    throttled = Rule("lambda", "GetFunctionUrlConfig")  # always throttled
    with throttling_proxy(aws_env.endpoint, [throttled, Rule("lambda", "GetPolicy", times=2)]) as proxy:
        _, report = _scan(proxy.url, account, tmp_path, monkeypatch)
        assert proxy.count("lambda", "GetFunctionUrlConfig") == 3 * 5  # five attempts per function
    errors = _aws_errors(report)
    assert len(errors) == 3
    assert all(e["message"].startswith("throttled: lambda:GetFunctionUrlConfig was still throttled") for e in errors)
    assert ("AUTH003", "ReceiptsFunction") in _pairs(report)  # GetPolicy went through on a retry


def test_bad_packages_never_crash_the_scan(
    aws_env: AwsEnv, account: BuiltAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = {
        "OrdersFunction": corrupt_zip(account.packages["OrdersFunction"]),
        "ReceiptsFunction": zip_slip_zip("index.js"),
    }
    code, report = _scan(aws_env.endpoint, account, tmp_path, monkeypatch, packages=bad)
    errors = {e["path"]: e["message"] for e in report["errors"]}
    assert errors[ARN + "OrdersFunction"] == (
        f"Code: function OrdersFunction: zip artifact {ARN}OrdersFunction is not a readable zip (File is not a zip "
        "file); its code is not analysed"
    )
    assert errors[ARN + "ReceiptsFunction"] == (
        f"Code: function ReceiptsFunction: zip artifact {ARN}ReceiptsFunction: entry '../../evil.py' would be "
        "written outside the artifact's folder (an absolute path or `..`: a zip-slip attempt); the artifact is not "
        "analysed"
    )
    pairs = _pairs(report)
    assert ("CODE001", "OrdersFunction") not in pairs  # its code could not be read…
    assert ("SECRET001", "OrdersFunction") in pairs  # …its configuration was
    assert not (tmp_path / "evil.py").exists() and not (tmp_path.parent / "evil.py").exists()
    assert code in (1, 2)


def test_a_package_over_the_cap_is_skipped_with_an_entry(
    aws_env: AwsEnv, account: BuiltAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = account.write_packages(tmp_path / "packages")
    with (folder / "OrdersFunction.zip").open("wb") as fh:  # sparse: 300 MB announced, nothing on disk
        fh.truncate(300 * 1024 * 1024)
    monkeypatch.setenv("FNAUDIT_AWS_PACKAGE_DIR", str(folder))
    out = tmp_path / "r.json"
    main(["scan", "aws:eu-west-1", "--endpoint-url", aws_env.endpoint, "-f", "json", "-o", str(out), "-q"])
    report = json.loads(out.read_text("utf-8"))
    [error] = [e for e in _aws_errors(report) if e["path"] == ARN + "OrdersFunction"]
    assert "larger than 256 MB: not analysed" in error["message"]
    coverage = {c["name"]: c for c in report["coverage"]["functions"]}
    assert "larger than 256 MB" in coverage["OrdersFunction"]["code_note"]
    assert coverage["ReceiptsFunction"]["code_files"]


def test_unreachable_endpoint_is_a_clear_exit_2(
    aws_env: AwsEnv, capsys: pytest.CaptureFixture[str], no_retry_delay: None
) -> None:
    from tests.aws.emulator import free_port

    code = main(["scan", "aws:eu-west-1", "--endpoint-url", f"http://127.0.0.1:{free_port()}", "-f", "json"])
    err = capsys.readouterr().err
    assert code == 2
    assert "fnaudit: error: cannot reach http://127.0.0.1:" in err
    assert "Traceback" not in err


def test_the_read_only_policy_allows_every_call_the_scan_makes(
    aws_env: AwsEnv, account: BuiltAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/aws-readonly-policy.json is sufficient: every request of a full scan (every part of the fixture
    account, S3 notifications included) needs an action the policy allows on that resource."""
    with throttling_proxy(aws_env.endpoint, []) as proxy:
        _scan(proxy.url, account, tmp_path, monkeypatch, "--with-s3")
        seen = {(c.service, c.operation) for c in proxy.calls}
    assert ("lambda", "GetFunction") in seen and ("apigatewayv2", "GetRoutes") in seen and ("s3", "ListBuckets") in seen
    refused = sorted(f"{s}:{o}" for s, o in seen if not _allowed(*_needs(s, o)))
    assert refused == []


# What an API call needs, from AWS's service authorization reference (independent of the reader's own table).
_EXCEPTIONS = {
    ("s3", "ListBuckets"): "s3:ListAllMyBuckets",
    ("s3", "GetBucketNotificationConfiguration"): "s3:GetBucketNotification",
}
_APIGATEWAY_RESOURCES = {
    "GetRestApis": "/restapis",
    "GetUsagePlans": "/usageplans",
    "GetApis": "/apis",
}


def _needs(service: str, operation: str) -> tuple[str, str]:
    if service == "sts":
        return "", "*"  # GetCallerIdentity needs no permission
    if service in ("apigateway", "apigatewayv2"):
        path = _APIGATEWAY_RESOURCES.get(operation, "/restapis/x" if service == "apigateway" else "/apis/x")
        return "apigateway:GET", f"arn:aws:apigateway:eu-west-1::{path}"
    return _EXCEPTIONS.get((service, operation), f"{service}:{operation}"), "*"


def _allowed(action: str, resource: str) -> bool:
    if not action:
        return True
    for st in POLICY["Statement"]:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        if any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in actions) and any(
            fnmatch.fnmatchcase(resource, r) for r in resources
        ):
            return True
    return False


def test_drift_between_the_repository_and_the_account(
    aws_env: AwsEnv, account: BuiltAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The account as the template declares it has no drift; one setting changed in the console is one finding."""
    _, same = _scan(
        aws_env.endpoint, account, tmp_path / "same", monkeypatch, "--compare", str(SHOP), "--select", "DRIFT"
    )
    assert same["findings"] == []
    change_setting(account, "OrderWorkerFunction", Runtime="python3.11")
    _, changed = _scan(
        aws_env.endpoint, account, tmp_path / "changed", monkeypatch, "--compare", str(SHOP), "--select", "DRIFT"
    )
    [finding] = changed["findings"]
    assert (finding["rule_id"], finding["function"]) == ("DRIFT003", "OrderWorkerFunction")
    assert finding["location"] == {"path": ARN + "OrderWorkerFunction", "line": 0, "key": "Runtime"}
    assert "python3.11" in finding["message"] and "python3.12" in finding["message"]
    assert "template.yaml:" in finding["message"]  # the line of the IaC that declares it


def test_regions_are_apps_of_their_own(
    aws_env: AwsEnv, account: BuiltAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`aws:A,B` and `aws:*` read each region into an app named after it; a container-image function is listed
    with its image, its code not fetched, and coverage says so."""
    role = aws_env.client("iam").get_role(RoleName="shop-worker-role")["Role"]["Arn"]
    east = boto3.client("lambda", region_name="us-east-1", endpoint_url=aws_env.endpoint)
    east.create_function(
        FunctionName="thumbnails",
        Role=role,
        PackageType="Image",
        Code={"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/thumbnails:1.4"},
    )
    monkeypatch.setenv("FNAUDIT_AWS_PACKAGE_DIR", str(account.write_packages(tmp_path / "packages")))
    for target in ("aws:eu-west-1,us-east-1", "aws:*"):
        out = tmp_path / "r.json"
        main(["scan", target, "--endpoint-url", aws_env.endpoint, "-f", "json", "-o", str(out), "-q"])
        report = json.loads(out.read_text("utf-8"))
        by_app = {(f["app"], f["name"]) for f in report["functions"]}
        assert ("aws:123456789012:us-east-1", "thumbnails") in by_app, target
        assert ("aws:123456789012:eu-west-1", "OrdersFunction") in by_app, target
        coverage = {c["name"]: c for c in report["coverage"]["functions"]}
        assert coverage["thumbnails"]["code_note"] == (
            "container image 123456789012.dkr.ecr.us-east-1.amazonaws.com/thumbnails:1.4: image code is not fetched"
        )
        assert _aws_errors(report) == []


def test_the_read_only_policy_passes_an_emulator_that_enforces_iam(enforcing_endpoint: Any, tmp_path: Path) -> None:
    """Where moto enforces IAM (iam, events, sns, logs; its lambda and API Gateway GETs fail whatever the policy,
    see tests/aws/emulator.py), a user holding exactly docs/aws-readonly-policy.json is refused nothing, and a
    user without it is refused each of those reads: the action names in the policy are the ones AWS checks."""
    from fnaudit.account.calls import Caller
    from fnaudit.account.packages import Folder
    from fnaudit.account.reader import RegionReader, RoleCache
    from fnaudit.account.target import parse
    from tests.aws.emulator import user_with_policy

    build_account(enforcing_endpoint.url)
    auditor = user_with_policy(enforcing_endpoint.url, POLICY)
    only_whoami = {"Effect": "Allow", "Action": "sts:GetCallerIdentity", "Resource": "*"}
    nobody = user_with_policy(enforcing_endpoint.url, {"Version": "2012-10-17", "Statement": [only_whoami]}, "nobody")
    enforcing_endpoint.enforce()

    def refused(keys: tuple[str, str]) -> list[str]:
        session = boto3.Session(aws_access_key_id=keys[0], aws_secret_access_key=keys[1], region_name="eu-west-1")
        caller = Caller(session, "eu-west-1", enforcing_endpoint.url)
        reader = RegionReader(caller, "123456789012", parse("aws:eu-west-1"), Folder(tmp_path), tmp_path, RoleCache())
        for role in ("shop-api-role", "shop-worker-role"):  # roles, their inline and managed policies
            reader._role(f"arn:aws:iam::123456789012:role/{role}")
        list(reader._event_rules(set()))
        list(reader._subscriptions(set()))
        reader._log_retention()
        return sorted({e.message.split(" was refused")[0] for e in caller.errors})

    assert refused(auditor) == []
    assert refused(nobody) == [
        "access denied: events:ListRules",
        "access denied: iam:GetRole",
        "access denied: iam:ListAttachedRolePolicies",
        "access denied: iam:ListRolePolicies",
        "access denied: logs:DescribeLogGroups",
        "access denied: sns:ListSubscriptions",
    ]


def test_layers_are_unpacked_and_read(
    aws_env: AwsEnv, account: BuiltAccount, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A function's layer is fetched and unpacked (Lambda mounts it in /opt): a secret in it is found, named by
    the layer version's ARN and the file inside it."""
    from tests.aws.account import zip_members

    layer_zip = zip_members([("python/settings.py", b'STRIPE_KEY = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"\n')])
    lam = aws_env.client("lambda")
    layer = lam.publish_layer_version(LayerName="shop-common", Content={"ZipFile": layer_zip})["LayerVersionArn"]
    lam.update_function_configuration(FunctionName="OrderWorkerFunction", Layers=[layer])
    folder = account.write_packages(tmp_path / "packages")
    (folder / "shop-common-1.zip").write_bytes(layer_zip)  # the hook serves layers as <name>-<version>.zip
    monkeypatch.setenv("FNAUDIT_AWS_PACKAGE_DIR", str(folder))
    out = tmp_path / "r.json"
    main(["scan", "aws:eu-west-1", "--endpoint-url", aws_env.endpoint, "-f", "json", "-o", str(out), "-q"])
    report = json.loads(out.read_text("utf-8"))
    [secret] = [f for f in report["findings"] if f["rule_id"] == "SECRET003"]
    assert secret["location"] == {"path": f"{layer}!/python/settings.py", "line": 1}
    assert "sk_live_4eC39HqLyjWDarjtT1zdp7dc" not in json.dumps(report)
    assert _aws_errors(report) == []
