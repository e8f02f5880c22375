"""SECRET rules: secrets kept in clear where they should be references to a secret store."""
