"""CODE rules: what the code engine found in each function's code (taint flows, runtime state, errors, logs)."""
