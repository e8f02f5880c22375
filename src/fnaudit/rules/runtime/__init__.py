"""RUNTIME rules: the platform patches the OS and language only while the runtime is supported."""
