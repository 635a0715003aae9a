"""Bundled sample traces from real instrumentation (see otel/README.md)."""
