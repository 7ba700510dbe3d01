"""pgaudit-kit benchmark suite: ``python -m bench`` (see bench/README.md)."""
