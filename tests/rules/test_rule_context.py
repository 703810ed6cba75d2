"""RuleContext.diagnostic: where a finding lands for each kind of fact source."""

from steplint.diagnostics import Mark, Severity, Span
from steplint.recipe import Recipe, Source, default_source, derived_source, fact, key_source
from steplint.rules.base import Rule, RuleContext, RuleDocs

RULE = Rule("SL999", "test-rule", Severity.WARNING, "test", RuleDocs(what="", why=""))
SPAN = Span(Mark(4, 3, 40), Mark(4, 12, 49))


def _blame(source: Source) -> tuple:
    ctx = RuleContext(Recipe(files=("first.yaml", "ratio.toml"), dialects=("test",), facts={}), {}, rule=RULE)
    d = ctx.diagnostic("m", fact("min_lr", 3e-6, source))
    return d.file, d.line, d.column, d.end_line, d.end_column


def test_a_key_is_blamed_at_its_span():
    assert _blame(key_source("ratio.toml", "lr_scheduler.lr_min", SPAN)) == ("ratio.toml", 4, 3, 4, 12)


def test_a_derivation_from_a_ratio_key_is_blamed_at_that_key():
    # torchtitan lr_min / HF min_lr_rate: min LR = ratio x peak, computed from a written key
    source = Source(kind="derived", formula="peak_lr * lr_scheduler.lr_min", inputs=("peak_lr",),
                    file="ratio.toml", key="lr_scheduler.lr_min", span=SPAN)
    assert _blame(source) == ("ratio.toml", 4, 3, 4, 12)


def test_sources_without_a_span_fall_back_to_the_first_file():
    assert _blame(derived_source("peak_lr x 0.1", "peak_lr")) == ("first.yaml", 1, 1, 0, 0)
    assert _blame(default_source("torchtitan")) == ("first.yaml", 1, 1, 0, 0)
