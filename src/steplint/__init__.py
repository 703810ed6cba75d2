"""steplint: a linter for LLM pre-training recipes, checked against the Step Law."""

__version__ = "0.1.0"
