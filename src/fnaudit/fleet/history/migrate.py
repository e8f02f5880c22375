"""Bring a history database to a schema revision with Alembic, programmatically.

The scripts ship inside the package (`migrations/versions/`), so users need no alembic.ini and no env.py:
this module builds the Alembic configuration and environment itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

_SCRIPTS = Path(__file__).parent / "migrations"
HEAD = "head"
# An arbitrary constant: PostgreSQL's advisory lock key, so that two processes opening a fresh database at
# once do not both try to create the tables.
_PG_LOCK_KEY = 0x666E6175


def _script() -> ScriptDirectory:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPTS))
    return ScriptDirectory.from_config(config)


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None  # the package ships its scripts
    return head


def current_revision(engine: sa.Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = HEAD) -> None:
    """Upgrade the database to `revision` (default: the newest) in one transaction."""
    script = _script()

    # What `alembic upgrade` does (alembic.command.upgrade), without its ini file and env.py.
    def steps(rev: Any, _context: MigrationContext) -> Iterable[Any]:
        return script._upgrade_revs(revision, rev)

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        with EnvironmentContext(Config(), script, fn=steps, destination_rev=revision) as env:
            env.configure(connection=conn, transactional_ddl=True)
            with env.begin_transaction():
                env.run_migrations()
