"""traceready: audit agent traces for automatic-improvement readiness."""
