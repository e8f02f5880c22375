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
    return None


def npm_root(spec: str) -> str:
    """The package an npm import names: `lodash/fp` → `lodash`, `@scope/pkg/x` → `@scope/pkg`."""
    parts = spec.split("/")
    if spec.startswith("@") and len(parts) >= 2:
        return "/".join(parts[:2])
    return parts[0]


def imported(ecosystem: str, name: str, imports: tuple[str, ...]) -> bool | None:
    """True / False when the import list settles it, None when the ecosystem's names are unknown."""
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
        return any(i == name or i.startswith(name + "/") for i in imports)
    return None
