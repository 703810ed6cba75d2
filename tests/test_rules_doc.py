"""docs/rules.md is generated from the registry and must stay current; every pinned code is
registered with explain text."""

import re
from pathlib import Path

from conftest import load_script
from steplint.rules.registry import all_rules

REPO = Path(__file__).resolve().parents[1]


def _generator():
    return load_script("gen_rules_doc")


def test_rules_md_is_current():
    expected = _generator().render()
    current = (REPO / "docs" / "rules.md").read_text(encoding="utf-8")
    assert current == expected, "docs/rules.md is stale: run python scripts/gen_rules_doc.py"


# architecture.md section 4, pinned: code -> (name, default severity)
PINNED = {
    "SL001": ("parse-error", "error"), "SL002": ("duplicate-key", "error"), "SL003": ("unknown-format", "info"),
    "SL004": ("bad-value", "error"), "SL005": ("missing-fact", "info"), "SL006": ("conflicting-files", "warning"),
    "SL007": ("unresolved-reference", "warning"), "SL008": ("unused-suppression", "warning"),
    "SL101": ("ds-batch-triple", "error"), "SL102": ("batch-units", "warning"),
    "SL103": ("batch-divisibility", "error"), "SL201": ("hf-min-lr-kwargs", "error"),
    "SL202": ("min-lr-order", "error"), "SL203": ("decay-horizon", "warning"), "SL204": ("warmup-length", "error"),
    "SL301": ("steplaw-recipe", "warning"), "SL302": ("steplaw-lr", None), "SL303": ("steplaw-batch", None),
    "SL304": ("steplaw-range", "info"), "SL305": ("steplaw-not-applicable", "info"),
    "SL401": ("tokens-per-param", "warning"), "SL402": ("token-budget", "warning"), "SL501": ("adam-beta2", "info"),
    "SL502": ("adam-eps", "info"), "SL503": ("weight-decay", "info"), "SL504": ("grad-clip", "warning"),
    "SL601": ("shape-alignment", "info"), "SL602": ("rope-base", "info"), "SL603": ("heads-parallel", "error"),
    "SL701": ("ds-hf-mismatch", "error"), "SL702": ("ds-auto-outside-hf", "error"),
    "SL703": ("deprecated-key", "warning"), "SL704": ("incompatible-flags", "error"),
}


def test_every_pinned_code_is_registered_with_its_name_and_severity():
    rules = {r.code: r for r in all_rules()}
    for code, (name, severity) in PINNED.items():
        assert code in rules, code
        assert rules[code].name == name
        if severity:
            assert str(rules[code].severity) == severity, code


def test_catalog_rules_cite_evidence_and_explain_why():
    for rule in all_rules():
        if rule.check is None or rule.code in ("SL202", "SL301", "SL302", "SL303"):
            continue
        assert rule.docs.evidence, rule.code
        assert len(rule.docs.what) + len(rule.docs.why) > 200, rule.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name)
        assert rule.docs.example and rule.docs.fix, rule.code
