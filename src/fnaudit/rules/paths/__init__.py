"""PATH rules: attack paths (entry → foothold → reach), from the first phase's findings (phase 1)."""
