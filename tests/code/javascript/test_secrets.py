"""Which environment variables the JavaScript analyser treats as secrets: the secrets engine's judgement
(the one SECRET001 applies to function environments), shared with the Python analyser."""

from __future__ import annotations

from pathlib import Path

from tests.code.helpers import fn, run
from tests.code.javascript.helpers import node_app

HANDLER = """const { API_KEY, AUTH_URL } = process.env;
exports.handler = async (event) => {
  console.log(process.env.DB_PASSWORD);
  console.log(process.env.AUTH_URL);
  console.log(process.env.DB_PASSWORD_SECRET_ARN);
  console.log(process.env["SERVICE_TOKEN"]);
  console.log(API_KEY, AUTH_URL);
  return { statusCode: 200 };
};
"""


def test_secret_names_are_the_secrets_engines(tmp_path: Path) -> None:
    # AUTH_URL locates a service and DB_PASSWORD_SECRET_ARN names where a secret is kept: neither is one.
    # The engine's own pattern (any name containing "auth" or "passw") used to report both.
    node_app(tmp_path, {"app.js": HANDLER})
    facts = fn(run(tmp_path), "h").code_facts
    assert facts is not None
    leaks = sorted((leak.kind, leak.loc.path, leak.loc.line, leak.name) for leak in facts.log_leaks)
    assert leaks == [
        ("secret", "app.js", 3, "DB_PASSWORD"),
        ("secret", "app.js", 6, "SERVICE_TOKEN"),
        ("secret", "app.js", 7, "API_KEY"),
    ]
