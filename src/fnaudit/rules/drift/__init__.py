"""DRIFT rules: how the deployed account differs from the repository's IaC (`fnaudit scan aws: --compare PATH`).

They read only `App.drift` (filled by account/drift.py), so an ordinary scan gives them nothing to report."""
