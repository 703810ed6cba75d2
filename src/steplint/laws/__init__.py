"""Scaling laws: Step Law (steplaw.py), the loss-penalty landscape (landscape.py)."""
