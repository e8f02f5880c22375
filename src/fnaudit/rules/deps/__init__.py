"""DEP rules: vulnerable and malicious packages, missing lockfiles, and a dependency scan that did not run."""
