"""Catastrophic backtracking in a regular expression (ReDoS), judged from the pattern's syntax tree.

No maintained Python library for this is installable here (regexploit is not packaged for this
environment; redos-detector and recheck are JavaScript), so this is a small, conservative analysis
of the tree `re._parser` builds (Python syntax; JavaScript literals are the same for what matters:
groups, classes, quantifiers, alternation). Two shapes make a backtracking engine take exponential
time on a near-miss input, and they are the ones reported:

- **nested quantifiers**: a repeated group that holds an unbounded repeat, where everything else in
  the group is optional or matches the same characters as the inner repeat (`(a+)+`, `(\\w+\\s?)*`,
  `(.*a){20}`): each extra character can be split between the iterations in many ways;
- **overlapping alternation under a repeat**: `(ba|\\wa)+`, `(\\d\\d|1\\d)*` — two alternatives of the
  same fixed width that can match the same text. (The parser merges one-character alternatives such as
  `(\\w|\\d)` into one class and factors out common prefixes, so those are not told apart from the
  harmless `[\\w\\d]`: a known miss.)

`(ab+)+` or `([a-z]+\\.)+` are not reported: each iteration must start or end with a character the
inner repeat cannot take, so there is one way to split the input. The analysis over-approximates
character sets on a small alphabet (ASCII), which is enough to compare classes such as `\\w` and `\\d`.
"""

from __future__ import annotations

import importlib
import re
from functools import lru_cache
from typing import Any

# The regex parser of the standard library: `re._parser` from Python 3.11 on (typeshed does not describe it).
try:
    P: Any = importlib.import_module("re._parser")
    C: Any = importlib.import_module("re._constants")
except ImportError:  # pragma: no cover - Python < 3.11
    P = importlib.import_module("sre_parse")
    C = importlib.import_module("sre_constants")

_ALPHABET = frozenset(chr(i) for i in range(128))
_REPEATS = (C.MAX_REPEAT, C.MIN_REPEAT)
_UNBOUNDED = C.MAXREPEAT
# An outer repeat counts as "many" from this many iterations on ({20} is as bad as *).
_MANY = 10
_CATEGORIES: dict[Any, frozenset[str]] = {
    C.CATEGORY_DIGIT: frozenset("0123456789"),
    C.CATEGORY_NOT_DIGIT: _ALPHABET - frozenset("0123456789"),
    C.CATEGORY_SPACE: frozenset(" \t\n\r\f\v"),
    C.CATEGORY_NOT_SPACE: _ALPHABET - frozenset(" \t\n\r\f\v"),
    C.CATEGORY_WORD: frozenset(c for c in _ALPHABET if c.isalnum() or c == "_"),
    C.CATEGORY_NOT_WORD: _ALPHABET - frozenset(c for c in _ALPHABET if c.isalnum() or c == "_"),
}
_JS_NAMED_GROUP = re.compile(r"\(\?<(?![=!])")

Item = tuple[Any, Any]


@lru_cache(maxsize=512)
def vulnerable(pattern: str, js: bool = False) -> str | None:
    """Why `pattern` backtracks catastrophically (a short phrase), or None (safe, or not parseable)."""
    if js:
        pattern = _JS_NAMED_GROUP.sub("(?P<", pattern)
    try:
        tree = P.parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None
    return _seq(list(tree))


def _seq(items: list[Item]) -> str | None:
    for op, av in items:
        reason = _item(op, av)
        if reason:
            return reason
    return None


def _item(op: Any, av: Any) -> str | None:
    if op in _REPEATS:
        _lo, hi, body = av
        body = list(body)
        if hi == _UNBOUNDED or hi >= _MANY:
            inner = _nested(body)
            if inner:
                return inner
            if _overlapping_branches(body):
                return "alternatives that match the same text, repeated"
        return _seq(body)
    if op is C.SUBPATTERN:
        return _seq(list(av[-1]))
    if op is C.BRANCH:
        for alt in av[1]:
            reason = _seq(list(alt))
            if reason:
                return reason
    if op in (C.ASSERT, C.ASSERT_NOT):
        return _seq(list(av[1]))
    return None


def _flat(items: list[Item]) -> list[Item]:
    """The items of a sequence, with plain groups opened (`((a)+b)` is `(a)+`, `b`)."""
    out: list[Item] = []
    for op, av in items:
        if op is C.SUBPATTERN:
            out.extend(_flat(list(av[-1])))
        else:
            out.append((op, av))
    return out


def _nested(body: list[Item]) -> str | None:
    """A repeated body holding an unbounded repeat that the rest of the body cannot pin down."""
    items = _flat(body)
    for i, (op, av) in enumerate(items):
        if op in _REPEATS and av[1] == _UNBOUNDED:
            chars = _chars(list(av[2]))
            others = items[:i] + items[i + 1 :]
            if all(_nullable([o]) or _chars([o]) <= chars for o in others):
                return "nested quantifiers"
        if op is C.BRANCH:
            for alt in av[1]:
                if _nested(list(alt)):
                    return "nested quantifiers"
    return None


def _overlapping_branches(body: list[Item]) -> bool:
    """Two alternatives of fixed width that can match the same text (`(ba|\\wa)+`)."""
    items = _flat(body)
    if len(items) != 1 or items[0][0] is not C.BRANCH:
        return False
    shapes = [s for s in (_fixed_chars(list(alt)) for alt in items[0][1][1]) if s]
    return any(
        len(a) == len(b) and all(x & y for x, y in zip(a, b, strict=True))
        for i, a in enumerate(shapes)
        for b in shapes[i + 1 :]
    )


def _fixed_chars(items: list[Item]) -> list[frozenset[str]]:
    """The character set at each position of a sequence of single characters ([] for anything else)."""
    out: list[frozenset[str]] = []
    for op, av in _flat(items):
        if op not in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            return []
        out.append(_chars([(op, av)]))
    return out


def _nullable(items: list[Item]) -> bool:
    """Whether the sequence can match the empty string."""
    for op, av in _flat(items):
        if op in _REPEATS:
            if av[0] > 0 and not _nullable(list(av[2])):
                return False
        elif op is C.BRANCH:
            if not any(_nullable(list(alt)) for alt in av[1]):
                return False
        elif op not in (C.AT, C.ASSERT, C.ASSERT_NOT):
            return False
    return True


def _chars(items: list[Item]) -> frozenset[str]:
    """Every character the sequence can match somewhere (over-approximated on ASCII)."""
    out: set[str] = set()
    for op, av in items:
        if op is C.LITERAL:
            out.add(chr(av) if av < 128 else "\x00")
        elif op is C.NOT_LITERAL or op is C.ANY:
            out |= _ALPHABET - ({chr(av)} if op is C.NOT_LITERAL and av < 128 else set())
        elif op is C.IN:
            out |= _class(av)
        elif op in _REPEATS:
            out |= _chars(list(av[2]))
        elif op is C.SUBPATTERN:
            out |= _chars(list(av[-1]))
        elif op is C.BRANCH:
            for alt in av[1]:
                out |= _chars(list(alt))
        elif op is C.GROUPREF:
            out |= _ALPHABET
    return frozenset(out)


def _class(members: list[Item]) -> frozenset[str]:
    out: set[str] = set()
    negate = False
    for op, av in members:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            out.add(chr(av) if av < 128 else "\x00")
        elif op is C.RANGE:
            lo, hi = av
            out |= {chr(c) for c in range(lo, min(hi, 127) + 1)}
        elif op is C.CATEGORY:
            out |= _CATEGORIES.get(av, _ALPHABET)
    return _ALPHABET - out if negate else frozenset(out)
