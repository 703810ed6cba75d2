"""A fixed Report every reporter renders in its golden test, and the golden-file check.

Regenerate the golden files after an intended change with STEPLINT_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import os
from pathlib import Path

from steplint.diagnostics import Applicability, Diagnostic, Edit, Fix, Location, Severity
from steplint.report import Report
from steplint.rules.docs_text import rule_table

GOLDEN = Path(__file__).resolve().parents[1] / "golden"

DIAGNOSTICS = (
    Diagnostic("SL001", "parse-error", Severity.ERROR, "cannot parse YAML: did not find expected node content",
               "configs/broken.yaml", 2, 1),
    Diagnostic("SL301", "steplaw-recipe", Severity.WARNING,
               "min LR 3.0e-5 is outside [5.0e-6, 2.0e-5]: Step Law's optimum assumes a fixed floor of 1.0e-5",
               "configs/gpt.yaml", 12, 11, 12, 17,
               fix=Fix(Applicability.SAFE, "Set min LR to 1.0e-5",
                       (Edit("configs/gpt.yaml", 210, 216, "1.0e-5", 12, 11, 12, 17),))),
    Diagnostic("SL302", "steplaw-lr", Severity.ERROR,
               "peak LR 8.0e-3 is 5.05x the Step Law optimum 1.58e-3 for N=1.07e9, D=1.0e11 (90% band "
               "1.47e-3..1.71e-3); at 4x the optimum or more, runs diverge in Step Law's grids",
               "configs/gpt.yaml", 10, 7, 10, 13,
               fix=Fix(Applicability.UNSAFE, "Set the peak LR to the Step Law optimum 1.58e-3",
                       (Edit("configs/gpt.yaml", 180, 186, "1.58e-3", 10, 7, 10, 13),))),
    Diagnostic("SL006", "conflicting-files", Severity.WARNING,
               "train_batch_size: 256 here, but 512 in args.yaml; 100% sure, a,b: c\nsecond line",
               "configs/ds config.json", 3, 23, related=(Location("configs/args.yaml", 4, 1, "the other value"),)),
    Diagnostic("SL003", "unknown-format", Severity.INFO, "not a training config steplint knows; <no> & \"facts\"",
               "package.json", 1, 1),
)


def report(**changes) -> Report:
    # the rule table arrives in the report, as `check` fills it for the reporters that list rules
    values = dict(diagnostics=DIAGNOSTICS, files_checked=4, version="0.0.0-test", hidden_unsafe=1, rules=rule_table())
    values.update(changes)
    return Report(**values)


def clean_report() -> Report:
    return Report(diagnostics=(), files_checked=2, version="0.0.0-test", rules=rule_table())


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("STEPLINT_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing; run with STEPLINT_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file (STEPLINT_UPDATE_GOLDEN=1 regenerates)"
