"""Names and values the Python and JavaScript extractors judge alike (auth checks, weaknesses).

What a header, a key or a connection string says does not depend on the language it is read in: one
list here keeps both languages' findings in step when a word is added."""

from __future__ import annotations

import re

# a request header that carries a webhook or request signature
SIG_HEADER = re.compile(r"signature|hmac|x-hub|x-slack|stripe|webhook|x-sig", re.I)
# a header that carries the caller's credentials
AUTH_HEADER = re.compile(r"^(authorization|x-api-key|api-key|x-auth-token|x-access-token|token|cookie)$", re.I)
# a key whose value decides what the caller may do (a role, a group, an owner, a debug switch)
AUTHZ_KEY = re.compile(
    r"role|admin|group|perm|scope|tenant|owner|privilege|access[-_]?level|is[-_]?staff|superuser"
    r"|internal|trusted|verified|bypass|override|debug",
    re.I,
)
# a flag value ("true", "1") decides only under an authorization-like key; these words decide under any key
AUTHZ_LITERAL = re.compile(r"^(admin|administrator|root|superuser|staff|owner|internal)$", re.I)

# passwords: names that are about a password without holding one, a form's second field, a salt
NOT_PASSWORD = re.compile(r"hash|salt|reset|policy|len|expir|field|url|hint", re.I)
TWO_INPUTS = re.compile(r"confirm|repeat|again|new|old|current", re.I)  # a form's two fields, not the store
SALT = re.compile(r"salt|pepper|nonce", re.I)
BROKEN_HASHES = frozenset({"md5", "sha1"})  # weak even salted: reported whatever is hashed with the password

# transport: hosts on the machine itself (no network to protect), and connection strings that turn TLS off
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
DB_URL_OFF = re.compile(r"sslmode=disable|[?&](ssl|tls|useSSL)=false", re.I)


def token_only_when_present(header: str) -> str:
    """The detail of an authorization that a request escapes by sending no token at all (CODE018)."""
    return (
        f"the token is checked only when the `{header}` header is present: a request without it goes on unauthenticated"
    )
