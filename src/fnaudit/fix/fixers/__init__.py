"""One module per fix family; each registers its fixers with `fnaudit.fix.registry.fixer`."""
