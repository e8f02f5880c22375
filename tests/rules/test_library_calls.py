"""PATH005 (vulnerable-library-call) and CODE025 (log-injection) on hand-built models: each table row's
conditions (advisory id, call, import, public trigger) one at a time, in every language the table names."""

from __future__ import annotations

from dataclasses import replace

from fnaudit.findings import Hit, Severity
from fnaudit.model import App, AuthKind, Authorizer, Code, Dialect, Function, Loc, Trigger, TriggerKind, Value
from fnaudit.model.code import AuthCheck, CodeFacts, Flow, Sink, Source, Step
from fnaudit.model.package import Advisory, Package
from fnaudit.rules.code.log_injection import log_injection
from fnaudit.rules.paths.vulnerable_library_call import vulnerable_library_call
from fnaudit.rules.registry import Context
from tests.conftest import SCAN_DATE

CTX = Context(today=SCAN_DATE)
ROUTE = Loc("template.yaml", 12)
CALL = Loc("src/main/java/com/acme/Search.java", 17)
POM = Loc("pom.xml", 16)
PUBLIC = Trigger(TriggerKind.API_HTTP, ROUTE, Authorizer.none(ROUTE), path="/search", method="POST", public=True)
BEHIND_IAM = replace(PUBLIC, authorizer=Authorizer(AuthKind.IAM, ROUTE))
QUEUE = Trigger(TriggerKind.SQS, ROUTE, Authorizer.none(ROUTE), source="jobs")


def _pkg(ecosystem: str, name: str, version: str, *ids: str, malicious: bool = False) -> Package:
    advisories = tuple(Advisory(f"GHSA-test-{i}", aliases=(i,), fixed="9.9.9", malicious=malicious) for i in ids)
    return Package("", ecosystem, name, version, POM, advisories=advisories)


LOG4J = _pkg("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", "CVE-2021-44228")


def _flow(kind: str, call: str, trigger: Trigger = PUBLIC, path: str = "body") -> Flow:
    source = Source(path, Loc(CALL.path, 15), (trigger.kind.value,))
    return Flow(
        source, Sink(kind, call, CALL), (Step(source.loc, f"input.{path} read"), Step(CALL, f"reaches {call}()"))
    )


def _app(
    language: str,
    packages: tuple[Package, ...],
    flows: tuple[Flow, ...] = (),
    imports: tuple[str, ...] = (),
    trigger: Trigger = PUBLIC,
    checks: tuple[AuthCheck, ...] = (),
) -> App:
    fn = Function(
        id="template.yaml#Search",
        name="Search",
        loc=Loc("template.yaml", 5),
        runtime=Value("java17", Loc("template.yaml", 8)),
        handler=Value("com.acme.Search::handleRequest", Loc("template.yaml", 9)),
        code=Code(language, True),
        triggers=(trigger,),
        packages=packages,
        code_facts=CodeFacts(imports=imports, flows=flows, auth_checks=checks),
    )
    return App(name="search", dialect=Dialect.SAM, root="", source="template.yaml", functions=(fn,))


def _paths(app: App) -> list[Hit]:
    return list(vulnerable_library_call(app, CTX))


def test_log4j_and_event_data_logged_behind_a_public_route_is_one_critical_path_at_the_log_call() -> None:
    app = _app("java", (LOG4J,), (_flow("log", "LOG.info"),), ("org.apache.logging.log4j.Logger",))
    [hit] = _paths(app)
    assert hit.loc == CALL
    assert hit.severity is Severity.CRITICAL
    assert hit.message == (
        "function Search: attack path: httpApi POST /search, public with no authorizer → body reaches LOG.info at "
        "src/main/java/com/acme/Search.java:17 → org.apache.logging.log4j:log4j-core@2.14.1 is affected by "
        "GHSA-test-CVE-2021-44228, CVE-2021-44228: the attacker runs code of its choice in the function "
        "(Log4Shell: a `${jndi:ldap://…}` lookup in logged text)"
    )
    assert [s.note for s in hit.trace][-1] == (
        "org.apache.logging.log4j:log4j-core 2.14.1 is shipped (GHSA-test-CVE-2021-44228, CVE-2021-44228)"
    )
    assert hit.trace[-1].loc == POM
    assert hit.remediation.startswith("Upgrade org.apache.logging.log4j:log4j-core to 9.9.9 or later")


def test_no_path_without_each_of_its_links() -> None:
    logged = (_flow("log", "LOG.info"),)
    # behind an authorizer, from a queue: DEP001 and CODE025 say each half
    assert _paths(_app("java", (LOG4J,), (_flow("log", "LOG.info", BEHIND_IAM),), trigger=BEHIND_IAM)) == []
    assert _paths(_app("java", (LOG4J,), (_flow("log", "LOG.info", QUEUE),), trigger=QUEUE)) == []
    # an advisory of log4j-core that no row names; a malicious-package report; no advisory at all
    assert _paths(_app("java", (_pkg("Maven", LOG4J.name, "2.14.1", "CVE-2099-1"),), logged)) == []
    assert _paths(_app("java", (_pkg("Maven", LOG4J.name, "2.14.1", "CVE-2021-44228", malicious=True),), logged)) == []
    assert _paths(_app("java", (replace(LOG4J, advisories=()),), logged)) == []
    # the same package in a function of another language, or a sink of another kind
    assert _paths(_app("python", (LOG4J,), logged)) == []
    assert _paths(_app("java", (LOG4J,), (_flow("sql", "stmt.execute"),))) == []


def test_snakeyaml_needs_its_own_import_and_a_load_call() -> None:
    snake = _pkg("Maven", "org.yaml:snakeyaml", "1.33", "CVE-2022-1471")
    load = (_flow("deserialization", "yaml.load"),)
    assert _paths(_app("java", (snake,), load, ("com.fasterxml.jackson.dataformat.yaml.YAMLMapper",))) == []
    assert (
        _paths(_app("java", (snake,), (_flow("deserialization", "ois.readObject"),), ("org.yaml.snakeyaml.Yaml",)))
        == []
    )
    [hit] = _paths(_app("java", (snake,), load, ("org.yaml.snakeyaml.Yaml",)))
    assert "org.yaml:snakeyaml@1.33 is affected by GHSA-test-CVE-2022-1471, CVE-2022-1471" in hit.message


def test_commons_text_needs_string_substitutor() -> None:
    text = _pkg("Maven", "org.apache.commons:commons-text", "1.9", "CVE-2022-42889")
    imports = ("org.apache.commons.text.StringSubstitutor",)
    [hit] = _paths(_app("java", (text,), (_flow("template", "StringSubstitutor.replace"),), imports))
    assert "reaches StringSubstitutor.replace at" in hit.message and "Text4Shell" in hit.message
    assert _paths(_app("java", (text,), (_flow("template", "Velocity.evaluate"),), imports)) == []


def test_pypi_names_match_normalised_and_jsonwebtoken_matches_the_token_check() -> None:
    pyyaml = _pkg("PyPI", "PyYAML", "5.3", "CVE-2020-1747")
    [hit] = _paths(_app("python", (pyyaml,), (_flow("deserialization", "yaml.full_load"),), ("yaml",)))
    assert "PyYAML@5.3 is affected by GHSA-test-CVE-2020-1747, CVE-2020-1747" in hit.message
    jwt = _pkg("npm", "jsonwebtoken", "8.5.1", "CVE-2022-23529")
    check = AuthCheck("jwt", CALL, "jwt.verify() verifies the request's token with a key")
    [hit] = _paths(_app("node", (jwt,), imports=("jsonwebtoken",), checks=(check,)))
    assert "→ the caller's token reaches jwt.verify() at" in hit.message
    hmac = AuthCheck("hmac", CALL, "crypto.timingSafeEqual() compares the request's signature")
    assert _paths(_app("node", (jwt,), imports=("jsonwebtoken",), checks=(hmac,))) == []


def test_log_injection_is_low_from_a_caller_and_info_from_an_internal_trigger() -> None:
    [public] = log_injection(_app("java", (), (_flow("log", "LOG.info"),)), CTX)
    assert (public.loc, public.severity) == (CALL, Severity.LOW)
    assert public.message.startswith("function Search: body (from httpApi POST /search, public with no authorizer)")
    [authed] = log_injection(_app("java", (), (_flow("log", "LOG.info", BEHIND_IAM),), trigger=BEHIND_IAM), CTX)
    assert authed.severity is Severity.LOW
    [queued] = log_injection(_app("java", (), (_flow("log", "LOG.info", QUEUE),), trigger=QUEUE), CTX)
    assert queued.severity is Severity.INFO
    # `print` is a `log` event for CODE014's sake, not a logging call
    assert list(log_injection(_app("python", (), (_flow("log", "print"),)), CTX)) == []


def test_a_log_flow_on_the_foothold_line_is_not_the_footholds_flow() -> None:
    """`logger.info(open(path).read())`: one line, a path flow (the foothold) and a log flow; "log" sorts
    before "path", and the attack path must still follow the path flow (its trace, its triggers)."""
    from fnaudit.findings import Category, Finding
    from fnaudit.rules.paths import _chain

    logged, opened = _flow("log", "logger.info"), _flow("path", "open", path="queryStringParameters.file")
    app = _app("python", (), (logged, opened))
    foothold = Finding(
        "CODE005", "path-traversal", "t", Category.INJECTION, Severity.HIGH, "Search", "template.yaml#Search",
        CALL, "m", "e", "r", "fp",
    )  # fmt: skip
    assert _chain._flow(app.functions[0], foothold) == opened


def test_pyjwt_needs_a_decode_whose_algorithm_the_token_chooses() -> None:
    from fnaudit.model.code import Weakness

    pyjwt = _pkg("PyPI", "PyJWT", "1.7.1", "CVE-2022-29217")
    header = Weakness("jwt", CALL, "jwt.decode() without algorithms=[...]: the token's header chooses the algorithm")
    unverified = Weakness("jwt", CALL, "jwt.decode(verify=False): the signature is not checked (PyJWT 1.x)")
    app = _app("python", (pyjwt,), imports=("jwt",))
    facts = app.functions[0].code_facts
    assert facts is not None
    [hit] = _paths(
        replace(app, functions=(replace(app.functions[0], code_facts=replace(facts, weaknesses=(header,))),))
    )
    assert "→ the caller's token reaches jwt.decode() at" in hit.message
    assert "PyJWT@1.7.1 is affected by GHSA-test-CVE-2022-29217, CVE-2022-29217" in hit.message
    other = replace(app.functions[0], code_facts=replace(facts, weaknesses=(unverified,)))
    assert _paths(replace(app, functions=(other,))) == []  # CODE015's, not this advisory's
