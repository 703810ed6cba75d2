"""Rules, one module each, in an explicit registry (see `registry.py`)."""
