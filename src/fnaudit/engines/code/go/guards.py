"""Conditions that pin a value down in one arm of an `if` (the walk sanitises it there).

- `u.Host == "api.example.com"`, `allowedHosts[u.Host]`, `_, ok := allowed[u.Hostname()]; ok`: the
  URL `u` (and the text `url.Parse` read it from) cannot reach another host: cleared for SSRF;
- `x == "literal"`, `allowed[x]`, `_, ok := allowed[x]; ok`: `x` is one of the program's own values;
- `re.MatchString(x)` with a pattern anchored at both ends (`^[a-z0-9-]+$`): `x` is that shape
  (an unanchored pattern matches inside anything, so it is no guard);
- `n, err := strconv.Atoi(x)` / `uuid.Parse(x)` then `err != nil`: in the other arm `x` is a number / UUID.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tree_sitter import Node

from fnaudit.engines.code import ir
from fnaudit.engines.code.go import sinks
from fnaudit.engines.code.go.parse import text
from fnaudit.engines.code.taint import ALL

_SSRF = frozenset({ir.SSRF})
_STRING = ("interpreted_string_literal", "raw_string_literal")


@dataclass(frozen=True, slots=True)
class Guard:
    keys: tuple[str, ...]  # environment keys pinned down
    kinds: frozenset[str]
    holds_when_true: bool  # False: it holds in the arm where the condition is false (`err != nil`)


@dataclass(slots=True)
class GuardFacts:
    """What assignments told the walk about later conditions."""

    validated: dict[str, str] = field(default_factory=dict)  # err var → the key its validator call read
    parsed: dict[str, str] = field(default_factory=dict)  # url var → the key `url.Parse` read it from
    lookups: dict[str, Guard] = field(default_factory=dict)  # ok var → the guard its map lookup is


def note_assignment(facts: GuardFacts, targets: list[Node], sources: list[Node]) -> None:
    if len(sources) != 1 or sources[0].type not in ("call_expression", "index_expression"):
        for t in targets:
            _forget(facts, text(t))
        return
    source = sources[0]
    names = [text(t) for t in targets]
    for n in names:
        _forget(facts, n)
    if source.type == "index_expression" and len(names) == 2:  # `_, ok := allowed[x]`
        found = _lookup(source, facts)
        if found is not None:
            facts.lookups[names[1]] = found
        return
    callee = text(source.child_by_field_name("function"))
    args = source.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    if first is None:
        return
    if callee in sinks.VALIDATORS and len(names) == 2 and names[1] != "_":
        facts.validated[names[1]] = text(first)
    elif callee == "url.Parse" and names and names[0] != "_":
        facts.parsed[names[0]] = text(first)


def _forget(facts: GuardFacts, name: str) -> None:
    facts.validated.pop(name, None)
    facts.parsed.pop(name, None)
    facts.lookups.pop(name, None)


def guard(facts: GuardFacts, cond: Node, pattern: Callable[[str], str | None]) -> tuple[Guard, ...]:
    """The guards a condition sets up. `a && b`: those of both that hold when they are true; `a || b`:
    those of both that hold when they are false (`if err != nil || u.Host != "x" { return }`)."""
    while cond.type == "parenthesized_expression" and cond.named_children:
        cond = cond.named_children[0]
    if cond.type == "unary_expression" and text(cond.child_by_field_name("operator")) == "!":
        operand = cond.child_by_field_name("operand")
        inner = guard(facts, operand, pattern) if operand is not None else ()
        return tuple(Guard(g.keys, g.kinds, not g.holds_when_true) for g in inner)
    if cond.type == "binary_expression" and text(cond.child_by_field_name("operator")) in ("&&", "||"):
        when = text(cond.child_by_field_name("operator")) == "&&"
        parts = (cond.child_by_field_name("left"), cond.child_by_field_name("right"))
        found = (g for p in parts if p is not None for g in guard(facts, p, pattern))
        return tuple(g for g in found if g.holds_when_true == when)
    one = _single(facts, cond, pattern)
    return (one,) if one is not None else ()


def _single(facts: GuardFacts, cond: Node, pattern: Callable[[str], str | None]) -> Guard | None:
    if cond.type == "identifier":
        return facts.lookups.get(text(cond))
    if cond.type == "index_expression":
        return _lookup(cond, facts)
    if cond.type == "binary_expression":
        return _comparison(facts, cond)
    if cond.type == "call_expression":
        return _match(cond, pattern)
    return None


def _comparison(facts: GuardFacts, cond: Node) -> Guard | None:
    op = text(cond.child_by_field_name("operator"))
    left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
    if op not in ("==", "!=") or left is None or right is None:
        return None
    if right.type == "nil" and left.type == "identifier" and text(left) in facts.validated:
        return Guard((facts.validated[text(left)],), ALL, op == "==")
    if left.type in _STRING:
        left, right = right, left
    if right.type not in _STRING:
        return None
    host = _host_of(left, facts)
    if host is not None:
        return Guard(host, _SSRF, op == "==")
    return Guard((text(left),), ALL, op == "==")


def _lookup(index: Node, facts: GuardFacts) -> Guard | None:
    """`allowed[x]`: a map of the program's own values looked up by `x`."""
    key = index.child_by_field_name("index")
    operand = index.child_by_field_name("operand")
    # a map the program names (`allowed[x]`); `req.Headers[x]` is the caller's map, no allowlist
    if key is None or operand is None or operand.type != "identifier":
        return None
    host = _host_of(key, facts)
    if host is not None:
        return Guard(host, _SSRF, True)
    return Guard((text(key),), ALL, True)


def _host_of(node: Node, facts: GuardFacts) -> tuple[str, ...] | None:
    """`u.Host` / `u.Hostname()` → the keys of `u` and of the text it was parsed from."""
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        if fn is None or fn.type != "selector_expression" or text(fn.child_by_field_name("field")) != "Hostname":
            return None
        node = fn
    elif node.type != "selector_expression" or text(node.child_by_field_name("field")) != "Host":
        return None
    operand = node.child_by_field_name("operand")
    if operand is None:
        return None
    url = text(operand)
    return (url, facts.parsed[url]) if url in facts.parsed else (url,)


def _match(cond: Node, pattern: Callable[[str], str | None]) -> Guard | None:
    fn = cond.child_by_field_name("function")
    args = cond.child_by_field_name("arguments")
    values = args.named_children if args is not None else []
    if fn is None or fn.type != "selector_expression" or not values:
        return None
    method = text(fn.child_by_field_name("field"))
    operand = fn.child_by_field_name("operand")
    if method not in ("MatchString", "Match") or operand is None:
        return None
    if text(operand) == "regexp" and len(values) == 2:  # `regexp.MatchString(pattern, x)`
        regex = text(values[0])[1:-1] if values[0].type in _STRING else None
        subject = values[1]
    else:
        regex = pattern(text(operand))
        subject = values[0]
    if regex is None or not (regex.startswith("^") and regex.endswith("$") and not regex.endswith("\\$")):
        return None
    return Guard((text(subject),), ALL, True)
