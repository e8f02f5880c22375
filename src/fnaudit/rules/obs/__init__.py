"""OBS rules: whether an attack on a function would leave traces anyone could follow."""
