"""The secrets fixer: values located on their line, store commands that reproduce the value without showing it,
and the findings it leaves to a person (with why)."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from fnaudit.config import Config
from fnaudit.fix.command import run_fix
from fnaudit.fix.fixers.secrets import Scalar, decode, find_value
from fnaudit.fix.model import Edit
from fnaudit.fix.plan import plan
from fnaudit.fix.text import Format
from fnaudit.pipeline import scan
from tests.fix.harness import CASES, TODAY

# (case, rule, the secret exactly as the scan reads it: quotes and escapes of the file undone)
SECRETS = [
    ("serverless", "SECRET001", "Xk9#mQ2$vL7!pR4w"),
    ("serverless", "SECRET001", "sk_live_51HcQxLKdT7gV2nRq8mZ4pWyB9sJ3eF6aU0oI"),
    ("serverless", "SECRET001", "xoxb-2048-1024-Zq8mZ4pWyB9sJ3eF6aU0oIxy"),
    ("sam", "SECRET001", "It's-a-S3cret!"),
    ("cloudformation-yaml", "SECRET001", "ghp_R8fK2mQ9xT4vL7pW3nZ6bY1cD5hJ0sA8eG2u"),
    ("cloudformation-json", "SECRET001", 'Pr0d-p4ss"w0rd\\x#2026'),
    ("terraform", "SECRET001", 'Xk9#mQ2"vL7!pR4w%{x}'),
    ("code-python-serverless", "SECRET002", "sk_live_51HcQxLKdT7gV2nRq8mZ4pWyB9sJ3eF6aU0oI"),
    ("code-python-serverless", "SECRET002", "Pr0d-Db#2026!x"),
    ("code-js-terraform", "SECRET002", "xoxb-2048-1024-Zq8mZ4pWyB9sJ3eF6aU0oIxy"),
    ("code-sam", "SECRET002", "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"),
    ("code-sam", "SECRET002", "Pr0d-Db#2026!x"),
    ("code-cloudformation-json", "SECRET002", "Pr0d-Ftp#2026!x"),
    ("code-cloudformation-json", "SECRET002", "ghp_R8fK2mQ9xT4vL7pW3nZ6bY1cD5hJ0sA8eG2u"),
    ("formatting", "SECRET001", "rpt_9fK2mQ9xT4vL7pW3nZ6bY1cD5hJ0sA8e"),
    ("formatting", "SECRET002", "whsec_Zq8mZ4pWyB9sJ3eF6aU0oIxyT4vL7pW3"),
]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _copy(case: str, tmp: Path) -> Path:
    root = tmp / "app"
    shutil.copytree(CASES / "secrets" / case / "app", root)
    return root


def _config(rule: str) -> Config:
    return Config(today=TODAY, select=(rule,), excerpts=False, reuse=False)


def _fake_aws(tmp: Path) -> Path:
    """An `aws` that records the file its last argument names (`file://…`) and its other arguments."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir(exist_ok=True)
    aws = bin_dir / "aws"
    aws.write_text(
        "#!/usr/bin/env python3\n"
        "import os, sys\n"
        "out = os.environ['FAKE_AWS_OUT']\n"
        "n = len([p for p in os.listdir(out)])\n"
        "open(os.path.join(out, f'{n}.value'), 'wb').write(open(sys.argv[-1][len('file://'):], 'rb').read())\n"
        "open(os.path.join(out, f'{n}.args'), 'w').write(' '.join(sys.argv[1:-1]))\n",
        encoding="utf-8",
    )
    aws.chmod(aws.stat().st_mode | stat.S_IXUSR)
    return bin_dir


def _commands(root: Path, rule: str) -> list[str]:
    result = scan(root, _config(rule))
    return [c for fix in plan(result, root).fixes for c in fix.commands]


def _run(command: str, tmp: Path, cwd: Path) -> tuple[int, str, list[tuple[str, bytes]]]:
    out = tmp / "stored"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    # by its path: a `python3` shim (pyenv) may put another `aws` first on the PATH of the program it runs
    command = command.replace(" -- aws ", f" -- {_fake_aws(tmp) / 'aws'} ")
    env = {**os.environ, "FAKE_AWS_OUT": str(out)}
    done = subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    stored = sorted(p.name for p in out.glob("*.value"))
    return (
        done.returncode,
        done.stdout + done.stderr,
        [((out / n.replace(".value", ".args")).read_text(), (out / n).read_bytes()) for n in stored],
    )


@pytest.mark.parametrize(("case", "rule", "secret"), SECRETS, ids=lambda v: v if isinstance(v, str) else "")
def test_the_command_stores_the_exact_value_and_prints_it_nowhere(
    case: str, rule: str, secret: str, tmp_path: Path
) -> None:
    root = _copy(case, tmp_path)
    commands = _commands(root, rule)
    mine = []
    for command in commands:
        assert secret not in command
        code, said, stored = _run(command, tmp_path, tmp_path)
        assert code == 0, said
        assert secret not in said
        mine += [s for s in stored if s[1] == secret.encode()]
    assert len(mine) == 1, f"no command stored {case}'s secret exactly"


def test_after_the_fix_is_written_the_command_reads_git_head(tmp_path: Path) -> None:
    root = _copy("sam", tmp_path)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-C", str(root)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "app"], check=True)
    (command,) = _commands(root, "SECRET001")
    config = _config("SECRET001")
    run_fix(
        scan(root, config), root, write=True, rescan=lambda: scan(root, config), out=io.StringIO(), err=io.StringIO()
    )
    assert "It''s-a-S3cret!" not in (root / "template.yaml").read_text()
    code, said, stored = _run(command, tmp_path, tmp_path)
    assert code == 0, said
    assert stored == [("secretsmanager create-secret --name billing/DB_PASSWORD --secret-string", b"It's-a-S3cret!")]


def test_a_line_that_moved_is_never_stored(tmp_path: Path) -> None:
    root = _copy("serverless", tmp_path)
    commands = _commands(root, "SECRET001")
    text = (root / "serverless.yml").read_text()
    (root / "serverless.yml").write_text("# a line added above\n" + text)
    code, said, stored = _run(commands[0], tmp_path, tmp_path)
    assert code == 1
    assert said.startswith(f"the secret is no longer at {root}/serverless.yml:14 (nor in git HEAD): store it by hand")
    assert stored == []


def test_the_terminal_view_shows_no_secret_outside_the_diff_body(tmp_path: Path) -> None:
    root = _copy("serverless", tmp_path)
    config = _config("SECRET001")
    out, err = _Terminal(), io.StringIO()
    run_fix(scan(root, config), root, rescan=lambda: scan(root, config), out=out, err=err)
    for _, _, secret in SECRETS[:3]:
        assert secret not in err.getvalue()
        assert secret not in out.getvalue()  # not even in the diff's removed lines: they are masked
    assert "#   run: python3 -c " in out.getvalue()
    assert out.getvalue().count("aws ssm put-parameter --type SecureString --name /orders/prod/") == 3


def test_the_diff_itself_shows_no_secret(tmp_path: Path) -> None:
    root = _copy("serverless", tmp_path)
    config = _config("SECRET001")
    out = io.StringIO()
    run_fix(scan(root, config), root, rescan=lambda: scan(root, config), out=out, err=io.StringIO())
    assert "Xk9#mQ2$vL7!pR4w" not in out.getvalue()


def test_what_is_left_to_a_person_says_why(tmp_path: Path) -> None:
    root = _copy("sam", tmp_path)
    (root / "src" / "app.py").write_text(
        'import os\nKEYS = {"stripe": "sk_live_51HcQxLKdT7gV2nRq8mZ4pWyB9sJ3eF6aU0oI"}\n\n\n'
        "def handler(e, c):\n    return KEYS\n"
    )
    reasons = {n.rule_id + ":" + n.reason for n in plan(scan(root, _config("SECRET")), root).unfixed}
    assert reasons == {
        "SECRET001:SENDGRID_API_KEY is set in Globals, where cfn-lint rejects a dynamic reference (E1051): set it on "
        "each function as `'{{resolve:secretsmanager:…}}'` by hand",
        "SECRET002:the secret on src/app.py:2 is not one literal assigned to a name on one line (an argument, a "
        "default, a concatenation or a multi-line value): move it to a secret store and read it from the environment "
        "by hand",
    }


def test_an_anchored_value_is_not_guessed(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "handler.py").write_text("def main(e, c):\n    return {}\n")
    (root / "serverless.yml").write_text(
        "service: orders\nx-secrets:\n  db: &db Xk9#mQ2$vL7!pR4w\nprovider:\n  name: aws\n  runtime: python3.12\n"
        "functions:\n  main:\n    handler: handler.main\n    environment:\n      DB_PASSWORD: *db\n"
    )
    result = scan(root, _config("SECRET001"))
    made = plan(result, root)
    assert made.fixes == ()
    assert [n.reason for n in made.unfixed] == [
        "the value of DB_PASSWORD is not written as one literal on serverless.yml:11 (a variable, an anchor, a block "
        "scalar or an escape fnaudit cannot read back): move it to a secret store by hand"
    ]


@pytest.mark.parametrize(
    ("line", "key", "fmt", "expected"),
    [
        ("    DB_PASSWORD: abc def   # note", "DB_PASSWORD", Format.YAML, (4, Scalar(17, 24, "plain"))),
        ("  f: {handler: x, TOKEN: 'it''s', B: 1}", "TOKEN", Format.YAML, (18, Scalar(25, 32, "single"))),
        ("  f: {TOKEN: abc, B: 1}", "TOKEN", Format.YAML, (6, Scalar(13, 16, "plain"))),
        ('  "PASS": "a\\"b",', "PASS", Format.JSON, (2, Scalar(10, 16, "double"))),
        ('  PASS = "a$${b}" # x', "PASS", Format.HCL, (2, Scalar(9, 17, "hcl"))),
        ("    DB_PASSWORD: *db", "DB_PASSWORD", Format.YAML, None),
        ("    DB_PASSWORD: |", "DB_PASSWORD", Format.YAML, None),
        ("    PASS = var.pass", "PASS", Format.HCL, None),
        ("    MY_DB_PASSWORD: x", "DB_PASSWORD", Format.YAML, None),
    ],
)
def test_find_value(line: str, key: str, fmt: Format, expected: tuple[int, Scalar] | None) -> None:
    assert find_value(line, key, fmt) == expected


@pytest.mark.parametrize(
    ("raw", "style", "value"),
    [
        ("'it''s'", "single", "it's"),
        ('"a\\"b\\\\c"', "double", 'a"b\\c'),
        ('"a$${b}%%{c}"', "hcl", "a${b}%{c}"),
        ("'x\\'y'", "python", "x'y"),
        ("'raw'", "raw", "raw"),
        ("b'bytes'", "python", None),
    ],
)
def test_decode(raw: str, style: str, value: str | None) -> None:
    assert decode(raw, style) == value


def test_a_crlf_file_keeps_its_line_endings(tmp_path: Path) -> None:
    root = _copy("formatting", tmp_path)
    config = _config("SECRET001")
    run_fix(
        scan(root, config), root, write=True, rescan=lambda: scan(root, config), out=io.StringIO(), err=io.StringIO()
    )
    data = (root / "serverless.yml").read_bytes()
    assert b'REPORTS_API_TOKEN: "${ssm:/reports/${sls:stage}/REPORTS_API_TOKEN}"   # from the vendor portal\r\n' in data
    assert data.count(b"\n") == data.count(b"\r\n")


def test_a_flask_secret_key_reads_its_last_name_from_the_environment(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "serverless.yml").write_text(
        "service: web\nprovider:\n  name: aws\n  runtime: python3.12\nfunctions:\n  web:\n    handler: app.handler\n"
    )
    (root / "app.py").write_text(
        "from flask import Flask\n\napp = Flask(__name__)\napp.secret_key = 'dev-2026'\n\n\n"
        "def handler(event, context):\n    return {}\n"
    )
    (fix,) = plan(scan(root, _config("SECRET002")), root).fixes
    assert (
        fix.summary
        == "app.secret_key read from the environment variable SECRET_KEY → SSM parameter /web/<stage>/SECRET_KEY"
    )
    assert fix.edits == (
        Edit("app.py", 4, 5, ('app.secret_key = os.environ["SECRET_KEY"]',)),
        Edit("app.py", 1, 1, ("import os", "")),
        Edit(
            "serverless.yml",
            7,
            8,
            ("    handler: app.handler", "    environment:", "      SECRET_KEY: ${ssm:/web/${sls:stage}/SECRET_KEY}"),
        ),
    )


def test_a_typescript_annotation_is_left_to_its_author(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "serverless.yml").write_text(
        "service: web\nprovider:\n  name: aws\n  runtime: nodejs20.x\nfunctions:\n  web:\n    handler: index.handler\n"
    )
    (root / "index.ts").write_text(
        'const apiToken: string = "ghp_R8fK2mQ9xT4vL7pW3nZ6bY1cD5hJ0sA8eG2u";\n\n'
        "export const handler = async () => ({ ok: Boolean(apiToken) });\n"
    )
    made = plan(scan(root, _config("SECRET002")), root)
    assert made.fixes == ()
    assert [n.reason for n in made.unfixed] == [
        "the secret on index.ts:1 is not one literal assigned to a name on one line (an argument, a default, a "
        "concatenation or a multi-line value): move it to a secret store and read it from the environment by hand"
    ]


def test_terraform_data_sources_go_where_the_file_keeps_them(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "main.tf").write_text(
        'data "aws_ssm_parameter" "stripe" {\n'
        '  name = "/shop/stripe"\n'
        "}\n"
        "\n"
        'resource "aws_lambda_function" "shop" {\n'
        '  function_name = "shop"\n'
        '  role          = "arn:aws:iam::123456789012:role/shop"\n'
        '  handler       = "app.handler"\n'
        '  runtime       = "python3.12"\n'
        '  filename      = "build/shop.zip"\n'
        "  environment {\n"
        "    variables = {\n"
        "      STRIPE_KEY  = data.aws_ssm_parameter.stripe.value\n"
        '      DB_PASSWORD = "Xk9#mQ2vL7!pR4w-2026"\n'
        "    }\n"
        "  }\n"
        "}\n"
    )
    (fix,) = plan(scan(root, _config("SECRET001")), root).fixes
    assert fix.edits == (
        Edit("main.tf", 14, 15, ("      DB_PASSWORD = data.aws_ssm_parameter.shop_db_password.value",)),
        Edit(
            "main.tf", 5, 5, ('data "aws_ssm_parameter" "shop_db_password" {', '  name = "/shop/DB_PASSWORD"', "}", "")
        ),
    )
    assert fix.notes[1].endswith(
        "the function's role needs nothing for this, and needs ssm:GetParameter on it only if the code later reads "
        "the secret at runtime"
    )


def test_the_stage_comes_from_provider_when_the_function_names_itself(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "handler.py").write_text("def main(e, c):\n    return {}\n")
    (root / "serverless.yml").write_text(
        "service: orders\nprovider:\n  name: aws\n  runtime: python3.12\n  stage: staging   # shared account\n"
        "functions:\n  main:\n    name: orders-main\n    handler: handler.main\n    environment:\n"
        "      DB_PASSWORD: Xk9#mQ2$vL7!pR4w\n"
    )
    (fix,) = plan(scan(root, _config("SECRET001")), root).fixes
    assert fix.commands[0].endswith(
        " -- aws ssm put-parameter --type SecureString --name /orders/staging/DB_PASSWORD --value"
    )
    assert fix.edits == (
        Edit("serverless.yml", 11, 12, ("      DB_PASSWORD: ${ssm:/orders/${sls:stage}/DB_PASSWORD}",)),
    )
