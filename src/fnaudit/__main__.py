"""`python -m fnaudit`."""

from fnaudit.cli import main

raise SystemExit(main())
