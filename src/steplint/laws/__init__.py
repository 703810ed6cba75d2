"""Scaling laws: Step Law (steplaw.py), the loss-penalty landscape (landscape.py), the laws Step
Law compares with (deepseek.py, porian.py, kaplan.py, minicpm.py; registry.py), law files
(lawfile.py) and refitting on a sweep (fit.py, numpy)."""
