"""IAM rules: what a function's execution role lets an attacker do once the function is compromised."""
