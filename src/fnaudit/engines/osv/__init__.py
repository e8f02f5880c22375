"""The advisory store (OSV schema, SQLite), per-ecosystem version ordering, and matching."""
