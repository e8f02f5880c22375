"""AUTH rules: who can reach a function without proving who they are."""
