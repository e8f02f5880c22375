"""The Go front end: `main` packages whose `lambda.Start(x)` names the handler (see analyse.py)."""
