"""Moved to `fnaudit.treecheck` (the Terraform loader reads tree-sitter trees too); this name stays until
every front end imports the new one."""

from fnaudit.treecheck import MAX_DEPTH, first_error_line, too_deep

__all__ = ["MAX_DEPTH", "first_error_line", "too_deep"]
