"""Built-in connectors, one sub-package per vendor slug."""
