"""A training objective other than the next-token loss (knowledge distillation) is named by
the dialect and makes Step Law not apply (SL305 with that reason; SL301-SL303 silent)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import FIXTURES
from steplint.cli import cli


@pytest.mark.parametrize(("name", "says"), [
    ("nemo_distill.yaml", "model.kd_teacher_restore_from_path"),
    ("megatron_ds_mos.sh", "--mos / --kd / --load-teacher"),
])
def test_distillation_is_not_judged_as_pre_training(name, says):
    r = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", str(FIXTURES / "objective" / name)])
    found = json.loads(r.output)["diagnostics"]
    [sl305] = [d for d in found if d["code"] == "SL305"]
    assert "knowledge distillation" in sl305["message"] and says in sl305["message"]
    assert not [d for d in found if d["code"] in ("SL301", "SL302", "SL303")]
