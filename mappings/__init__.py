"""Built-in mapping specs (YAML), one per vendor slug."""
