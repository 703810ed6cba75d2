"""Reporters, one module each, in a registry (see REPORTERS)."""
