"""`fnaudit fleet`: scan every serverless repository and account of an organisation, keep every run in a database.

spec (FLEET.toml → targets) → run (one Dask task per target; a failing target is recorded, never stops the
others) → history (SQLAlchemy: SQLite by default, PostgreSQL for a team; transactional per target) → report
(riskiest functions, new and fixed findings, trends; table, JSON, HTML, SARIF) and diff (between two runs).
"""
