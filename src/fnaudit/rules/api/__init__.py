"""API rules: what API Gateway checks (or does not) before a request reaches a function."""
