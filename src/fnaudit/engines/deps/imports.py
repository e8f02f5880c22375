"""Distribution name → the names code imports it by, to tell whether a handler uses a package.

PyPI: a table of the well-known projects whose import name differs from the project name
(`PyYAML` → `yaml`, `beautifulsoup4` → `bs4`, `Pillow` → `PIL`…), else the PEP 503 name with `-`
→ `_`. npm: the package name itself (`@scope/name`); an import of `lodash/fp` is `lodash`. Go:
the module path is a prefix of the imported package path. Maven and others: not known (None).
"""

from __future__ import annotations

import re

_PYPI: dict[str, tuple[str, ...]] = {
    "pyyaml": ("yaml",),
    "beautifulsoup4": ("bs4",),
    "pillow": ("PIL",),
    "python-dateutil": ("dateutil",),
    "scikit-learn": ("sklearn",),
    "scikit-image": ("skimage",),
    "opencv-python": ("cv2",),
    "opencv-python-headless": ("cv2",),
    "protobuf": ("google.protobuf", "google"),
    "pyjwt": ("jwt",),
    "python-jose": ("jose",),
    "psycopg2-binary": ("psycopg2",),
    "psycopg-binary": ("psycopg",),
    "pycryptodome": ("Crypto",),
    "pycryptodomex": ("Cryptodome",),
    "pyopenssl": ("OpenSSL",),
    "attrs": ("attr", "attrs"),
    "setuptools": ("setuptools", "pkg_resources"),
    "typing-extensions": ("typing_extensions",),
    "msgpack-python": ("msgpack",),
    "python-multipart": ("multipart",),
    "python-dotenv": ("dotenv",),
    "pymysql": ("pymysql",),
    "mysqlclient": ("MySQLdb",),
    "mysql-connector-python": ("mysql",),
    "pymongo": ("pymongo", "bson", "gridfs"),
    "dnspython": ("dns",),
    "google-api-python-client": ("googleapiclient",),
    "aws-lambda-powertools": ("aws_lambda_powertools",),
    "aws-xray-sdk": ("aws_xray_sdk",),
    "pysaml2": ("saml2",),
    "python-ldap": ("ldap",),
    "ruamel-yaml": ("ruamel",),
    "py-yaml": ("yaml",),
    "markupsafe": ("markupsafe",),
    "pycrypto": ("Crypto",),
    "websocket-client": ("websocket",),
    "djangorestframework": ("rest_framework",),
    "django-cors-headers": ("corsheaders",),
    "flask-cors": ("flask_cors",),
    "pyzmq": ("zmq",),
    "pywin32": ("win32api",),
    "lxml-html-clean": ("lxml_html_clean",),
    "grpcio": ("grpc",),
    "ujson": ("ujson",),
}


def import_names(ecosystem: str, name: str) -> tuple[str, ...] | None:
    """The top-level names `import` uses for this distribution; None when we cannot tell."""
    if ecosystem == "PyPI":
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in _PYPI:
            return _PYPI[key]
        if key.startswith("google-cloud-"):
            return ("google.cloud", "google")
        return (key.replace("-", "_"),)
    if ecosystem == "npm":
        return (name,)
    if ecosystem == "Go":
        return (name,)
    if ecosystem == "Maven":
        known = java_packages(name)
        return known[0] if known is not None and known[1] else None
    return None


# Logging back ends are reached through a facade the code imports instead of them (Log4Shell through SLF4J).
_FACADES = ("org.slf4j", "org.apache.commons.logging", "java.util.logging")
# A JDBC driver is loaded from its URL (`jdbc:postgresql:…`), never imported: any use of JDBC or JPA reaches it.
_JDBC = ("java.sql", "javax.sql", "javax.persistence", "jakarta.persistence", "org.hibernate", "org.jooq")
# Maven `group:artifact` → the Java packages its classes live in (what `import` lines name).
_MAVEN: dict[str, tuple[str, ...]] = {
    "org.apache.logging.log4j:log4j-core": ("org.apache.logging.log4j", *_FACADES),
    "org.apache.logging.log4j:log4j-api": ("org.apache.logging.log4j",),
    "org.apache.logging.log4j:log4j-slf4j-impl": ("org.apache.logging.log4j", "org.slf4j"),
    "org.apache.logging.log4j:log4j-slf4j2-impl": ("org.apache.logging.log4j", "org.slf4j"),
    "log4j:log4j": ("org.apache.log4j", *_FACADES),
    "ch.qos.logback:logback-classic": ("ch.qos.logback", *_FACADES),
    "ch.qos.logback:logback-core": ("ch.qos.logback", *_FACADES),
    "org.slf4j:slf4j-api": ("org.slf4j",),
    "org.apache.commons:commons-text": ("org.apache.commons.text",),
    "org.apache.commons:commons-lang3": ("org.apache.commons.lang3",),
    "commons-lang:commons-lang": ("org.apache.commons.lang",),
    "commons-io:commons-io": ("org.apache.commons.io",),
    "commons-codec:commons-codec": ("org.apache.commons.codec",),
    "commons-fileupload:commons-fileupload": ("org.apache.commons.fileupload",),
    "commons-beanutils:commons-beanutils": ("org.apache.commons.beanutils",),
    "commons-collections:commons-collections": ("org.apache.commons.collections",),
    "org.apache.commons:commons-collections4": ("org.apache.commons.collections4",),
    "org.apache.commons:commons-compress": ("org.apache.commons.compress",),
    "org.yaml:snakeyaml": ("org.yaml.snakeyaml",),
    "com.fasterxml.jackson.core:jackson-databind": ("com.fasterxml.jackson.databind",),
    "com.fasterxml.jackson.core:jackson-core": ("com.fasterxml.jackson.core", "com.fasterxml.jackson.databind"),
    "com.fasterxml.jackson.core:jackson-annotations": ("com.fasterxml.jackson.annotation",),
    "com.fasterxml.jackson.dataformat:jackson-dataformat-yaml": ("com.fasterxml.jackson.dataformat.yaml",),
    "com.fasterxml.jackson.dataformat:jackson-dataformat-xml": ("com.fasterxml.jackson.dataformat.xml",),
    "com.fasterxml.jackson.dataformat:jackson-dataformat-cbor": ("com.fasterxml.jackson.dataformat.cbor",),
    "com.google.guava:guava": ("com.google.common", "com.google.thirdparty"),
    "com.squareup.okhttp3:okhttp": ("okhttp3",),
    "com.squareup.okhttp:okhttp": ("com.squareup.okhttp",),
    "com.google.code.gson:gson": ("com.google.gson",),
    "com.thoughtworks.xstream:xstream": ("com.thoughtworks.xstream",),
    "com.h2database:h2": ("org.h2", *_JDBC),
    "org.postgresql:postgresql": ("org.postgresql", *_JDBC),
    "mysql:mysql-connector-java": ("com.mysql", *_JDBC),
    "com.mysql:mysql-connector-j": ("com.mysql", *_JDBC),
    "org.xerial:sqlite-jdbc": ("org.sqlite", *_JDBC),
    "org.mariadb.jdbc:mariadb-java-client": ("org.mariadb.jdbc", *_JDBC),
    "org.jsoup:jsoup": ("org.jsoup",),
    "org.json:json": ("org.json",),
    "com.alibaba:fastjson": ("com.alibaba.fastjson",),
    "org.bouncycastle:bcprov-jdk15on": ("org.bouncycastle",),
    "org.bouncycastle:bcprov-jdk18on": ("org.bouncycastle",),
    "io.jsonwebtoken:jjwt": ("io.jsonwebtoken",),
    "io.jsonwebtoken:jjwt-api": ("io.jsonwebtoken",),
    "io.jsonwebtoken:jjwt-impl": ("io.jsonwebtoken",),
    "com.nimbusds:nimbus-jose-jwt": ("com.nimbusds",),
    "com.auth0:java-jwt": ("com.auth0.jwt",),
    "org.apache.httpcomponents:httpclient": ("org.apache.http",),
    "org.apache.httpcomponents.client5:httpclient5": ("org.apache.hc",),
    "com.amazonaws:aws-lambda-java-core": ("com.amazonaws.services.lambda.runtime",),
    "com.amazonaws:aws-lambda-java-events": ("com.amazonaws.services.lambda.runtime.events",),
}
# AWS SDK for Java v2 service clients whose artifact is the package's last name (`s3` → `…services.s3`).
_AWS_V2_SERVICES = frozenset(
    [
        "s3",
        "dynamodb",
        "sqs",
        "sns",
        "lambda",
        "secretsmanager",
        "ssm",
        "kms",
        "sts",
        "iam",
        "kinesis",
        "firehose",
        "cloudwatch",
        "cloudwatchlogs",
        "eventbridge",
        "sfn",
        "ses",
        "sesv2",
        "rds",
        "ec2",
        "athena",
        "glue",
        "apigateway",
        "cognitoidentityprovider",
    ]
)
# Frameworks that instantiate classes named in configuration (Spring beans, CDI): imports do not say what runs.
JAVA_FRAMEWORKS = ("org.springframework", "io.micronaut", "io.quarkus", "jakarta.enterprise", "javax.enterprise")


def java_packages(name: str) -> tuple[tuple[str, ...], bool] | None:
    """The Java packages a Maven artifact (`group:artifact`) provides, and whether that is known (True) or only
    guessed from the groupId (False: a match says "imported", a miss says nothing)."""
    group, _, artifact = name.partition(":")
    if not artifact:
        return None
    if name in _MAVEN:
        return _MAVEN[name], True
    if group.startswith("org.springframework"):
        return ("org.springframework",), True
    if group == "com.amazonaws" and artifact.startswith("aws-java-sdk"):
        return ("com.amazonaws",), True  # SDK v1: every module under com.amazonaws.services.*
    if group == "software.amazon.awssdk":
        if artifact in _AWS_V2_SERVICES:
            return (f"software.amazon.awssdk.services.{artifact}",), True
        if artifact == "dynamodb-enhanced":
            return ("software.amazon.awssdk.enhanced.dynamodb",), True
        return ("software.amazon.awssdk",), False
    return (group,), False


def npm_root(spec: str) -> str:
    """The package an npm import names: `lodash/fp` → `lodash`, `@scope/pkg/x` → `@scope/pkg`."""
    parts = spec.split("/")
    if spec.startswith("@") and len(parts) >= 2:
        return "/".join(parts[:2])
    return parts[0]


def imported(ecosystem: str, name: str, imports: tuple[str, ...]) -> bool | None:
    """True / False when the import list settles it, None when the ecosystem's names are unknown."""
    if ecosystem == "Maven":
        return java_imported(name, imports)
    names = import_names(ecosystem, name)
    if names is None:
        return None
    if ecosystem == "PyPI":
        lowered = {n.lower() for n in names}
        for imp in imports:
            parts = imp.split(".")
            if parts[0].lower() in lowered or ".".join(parts[:2]).lower() in lowered:
                return True
        return False
    if ecosystem == "npm":
        roots = {npm_root(i.removeprefix("node:")) for i in imports}
        return name in roots
    if ecosystem == "Go":
        if name == "stdlib":
            return True  # the Go runtime and standard library are linked into every binary
        return any(i == name or i.startswith(name + "/") for i in imports)
    return None


def java_imported(name: str, imports: tuple[str, ...]) -> bool | None:
    """Whether a Java file's imports (fully qualified classes or packages) use the artifact `name`; None when
    that cannot be told (an artifact known only by its groupId and not matched, or a dependency-injection
    framework that wires classes from configuration)."""
    known = java_packages(name)
    if known is None:
        return None
    prefixes, confident = known
    names = [i.removeprefix("static ").strip() for i in imports]
    if any(n == p or n.startswith(p + ".") for n in names for p in prefixes):
        return True
    if not confident or any(n == f or n.startswith(f + ".") for n in names for f in JAVA_FRAMEWORKS):
        return None
    return False
