"""The JavaScript / TypeScript analyser of the code engine (tree-sitter trees, same facts as Python)."""
