"""Data for PATH005: library advisories that need attacker data at a known call, and the code fact that shows it.

A DEP001 advisory says a package version is flawed; most flaws need the code to use the package in one
particular way. Each row names the advisory (any of its ids or aliases matches), the package, and the fact
of the function's code that is that use: a data flow of one sink kind whose call text names the API (and
whose module the code imports), or an authentication check the code makes with the library. Rows are data
only: a new language or library is a new row, no new code. A row applies to the functions whose language
ships packages of its ecosystem (`model.package.LANGUAGE_ECOSYSTEMS`: Java and Kotlin share Maven's).
"""

from __future__ import annotations

from dataclasses import dataclass

FLOW = "flow"  # event data reaches a sink of `kinds` whose call names one of `calls`
JWT_CHECK = "jwt-check"  # the code verifies the caller's token with the library (an AuthCheck of kind `jwt`)
WEAKNESS = "weakness"  # a code weakness of `kinds` whose detail names one of `calls` (how the call is made)


@dataclass(frozen=True, slots=True)
class LibraryCall:
    ecosystem: str  # OSV ecosystem of the package
    package: str  # as the lockfile names it (compared case-insensitively, `_`/`.` as `-` for PyPI)
    ids: tuple[str, ...]  # the advisories (CVE / GHSA ids): a package advisory naming one of them matches
    fact: str  # FLOW, JWT_CHECK or WEAKNESS
    calls: tuple[str, ...]  # substrings of the call text (flow sink call, check or weakness detail); one must occur
    kinds: tuple[str, ...] = ()  # FLOW: the sink kinds; WEAKNESS: the weakness kinds
    imports: tuple[str, ...] = ()  # the function's code must import one of these (a prefix of an import)
    effect: str = ""  # what the attacker gets, for the message


ROWS: tuple[LibraryCall, ...] = (
    LibraryCall(
        "Maven",
        "org.apache.logging.log4j:log4j-core",
        ("CVE-2021-44228", "CVE-2021-45046", "CVE-2021-45105", "CVE-2021-44832"),
        FLOW,
        calls=(),  # any logging call: log4j-core interprets `${jndi:…}` lookups in whatever it formats
        kinds=("log",),
        effect="runs code of its choice in the function (Log4Shell: a `${jndi:ldap://…}` lookup in logged text)",
    ),
    LibraryCall(
        "Maven",
        "org.apache.commons:commons-text",
        ("CVE-2022-42889",),
        FLOW,
        calls=("StringSubstitutor",),
        kinds=("template",),
        imports=("org.apache.commons.text",),
        effect="runs code of its choice in the function (Text4Shell: a `${script:…}` interpolation)",
    ),
    LibraryCall(
        "Maven",
        "org.yaml:snakeyaml",
        ("CVE-2022-1471",),
        FLOW,
        calls=("load",),
        kinds=("deserialization",),
        imports=("org.yaml.snakeyaml",),
        effect="runs code of its choice in the function (SnakeYAML's Constructor instantiates any class)",
    ),
    LibraryCall(
        "PyPI",
        "pyyaml",
        ("CVE-2020-14343", "CVE-2020-1747"),
        FLOW,
        calls=("yaml.load", "yaml.full_load"),
        kinds=("deserialization",),
        imports=("yaml",),
        effect="runs code of its choice in the function (PyYAML's FullLoader builds arbitrary Python objects)",
    ),
    LibraryCall(
        "npm",
        "jsonwebtoken",
        ("CVE-2022-23529", "CVE-2022-23539", "CVE-2022-23540", "CVE-2022-23541"),
        JWT_CHECK,
        calls=("verify",),
        imports=("jsonwebtoken",),
        effect="passes the token check with a forged token (key type and algorithm confusion in `jwt.verify`)",
    ),
    LibraryCall(
        "PyPI",
        "pyjwt",
        ("CVE-2022-29217",),
        WEAKNESS,
        # the advisory needs the algorithm chosen by the token: the weakness the Python front end reports for a
        # `jwt.decode` with no `algorithms=[...]` (PyJWT 1.x accepts it); a decode that pins its algorithms
        # is not this flaw, and `algorithms` computed from the token's header is a call no fact shows yet
        calls=("the token's header chooses the algorithm",),
        kinds=("jwt",),
        imports=("jwt",),
        effect="passes the token check with a token it signs itself (algorithm confusion in `jwt.decode`)",
    ),
    LibraryCall(
        "npm",
        "lodash",
        ("CVE-2021-23337",),
        FLOW,
        calls=("template",),
        kinds=("template", "code"),
        imports=("lodash",),
        effect="runs code of its choice in the function (command injection through `_.template` options)",
    ),
)
