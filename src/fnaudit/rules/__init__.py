"""Rules: metadata + pure checks, one small module per rule, grouped by family."""

from fnaudit.rules.registry import Context, Rule, all_rules, find_rule, matches, rule

__all__ = ["Context", "Rule", "all_rules", "find_rule", "matches", "rule"]
