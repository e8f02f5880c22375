"""Does a constant URL prefix decide where a request or a redirect goes?

Language-neutral: a front end works out the constant text a string starts with (a literal, the
constant part of an f-string / template literal, a module constant) and asks here which sink kinds
the rest of the string is harmless for. Data that only fills in the path or query of a fixed host
is not server-side request forgery and not an open redirect (issue 22); data that can still reach
the scheme, the host, the port or the user-info part is.
"""

from __future__ import annotations

import re

from fnaudit.engines.code import ir

# The sink kinds a fixed scheme and host makes harmless; every other sink (SQL, shell, path…) keeps the value.
HOST_KINDS = frozenset({ir.SSRF, ir.REDIRECT})
REDIRECT_ONLY = frozenset({ir.REDIRECT})
NOTHING: frozenset[str] = frozenset()

# `scheme://authority` or `//authority`, then the first `/`, `?` or `#` that ends the authority.
# The authority must be non-empty (`https:///evil.com` is evil.com for a browser) and hold no
# placeholder (`%s`, `{}`, `${`) nor a backslash or blank (browsers read `\` as `/` and drop tabs and
# newlines, so the host would not end where it seems to). A prefix that stops inside the
# authority (`https://`, `https://api.`, `https://host`, `https://host:`) leaves the host open:
# `.evil.com`, `@evil.com`, `80@evil.com` finish it.
_FIXED_AUTHORITY = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//[^/?#\\\s%{}$]+[/?#]")
# The same, for a whole constant (`"https://api.example.com"` as a base URL): the end of the text ends the host.
_ABSOLUTE_URL = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.-]*:)?//[^/?#\\\s%{}$]+(?:[/?#]|$)")

# A path-absolute reference (`/app/`, `/login?next=`): a redirect to it stays on the same site, unless
# the next character can start a second slash (`/` + `/evil.com` is `//evil.com`; `\`, tabs and
# newlines are read as or dropped before a slash). It does not make a server-side request safe
# (a relative URL there has no host at all), so it clears redirects only.
_SAME_SITE_PATH = re.compile(r"/[A-Za-z0-9._~?#=&+!*'(),;:@-]")


def cleared_kinds(prefix: str | None) -> frozenset[str]:
    """The sink kinds text starting with the constant `prefix` is harmless for, whatever follows."""
    if not prefix:
        return NOTHING
    if _FIXED_AUTHORITY.match(prefix):
        return HOST_KINDS
    if _SAME_SITE_PATH.match(prefix):
        return REDIRECT_ONLY
    return NOTHING


def fixes_host(prefix: str | None, whole: bool = False) -> bool:
    """The constant `prefix` already names the scheme and the whole host; with `whole`, the prefix is
    all of the text, so its end ends the host too (`"https://api.example.com"` as a base URL)."""
    if not prefix:
        return False
    return (_ABSOLUTE_URL if whole else _FIXED_AUTHORITY).match(prefix) is not None


def resolved_against(reference_prefix: str | None, base_prefix: str | None, base_whole: bool = False) -> frozenset[str]:
    """`urljoin(base, ref)` / `new URL(ref, base)`: a reference resolved against a base URL.

    The reference decides unless it is relative: an absolute or scheme-relative one (`//evil.com`)
    replaces the base's host. So the result is harmless only when the reference starts with a fixed
    host itself, or with a same-site path (`/items/` + x) and the base fixes the host.
    """
    kinds = cleared_kinds(reference_prefix)
    if kinds == HOST_KINDS:
        return HOST_KINDS
    if kinds == REDIRECT_ONLY and fixes_host(base_prefix, base_whole):
        return HOST_KINDS
    return NOTHING


def format_prefix(template: str, placeholder: str) -> str:
    """The constant text of a format string before its first placeholder (`%` for printf style,
    `{` for `str.format`); doubled markers (`%%`, `{{`) are literal characters."""
    out: list[str] = []
    i = 0
    while i < len(template):
        c = template[i]
        if placeholder == "{" and template[i : i + 2] == "}}":
            out.append(c)
            i += 2
            continue
        if c == placeholder:
            if template[i + 1 : i + 2] == placeholder:
                out.append(c)
                i += 2
                continue
            break
        out.append(c)
        i += 1
    return "".join(out)
