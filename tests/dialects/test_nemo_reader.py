"""NeMo reads through ConfigReader with the OmegaConfInterpolation strategy: values typed as
OmegaConf types them, findings worded and ordered as NeMo's reader always reported them."""

from __future__ import annotations

from steplint.dialects import nemo
from steplint.dialects.base import ExtractContext
from steplint.dialects.config_reader import ConfigReader
from steplint.documents.load import load_document

EDGES = """\
trainer:
  devices: 8
  max_steps: 1000
  gradient_clip_val: "1.0"
model:
  num_layers: 2
  hidden_size: ${multiply:4, ${.kv_channels}}
  kv_channels: 64
  num_attention_heads: 4
  encoder_seq_length: 2048
  global_batch_size: ${training.model.gbs}
  micro_batch_size: 2.5
  share_embeddings_and_output_weights: " false"
  data:
    seq_length: ${model.encoder_seq_length}
  optim:
    lr: .inf
    weight_decay: [1, 2]
    eps: 2024-01-01
"""


def _extract(tmp_path):
    path = tmp_path / "megatron_gpt_config.yaml"
    path.write_text(EDGES)
    return nemo.extract(load_document(str(path)), ExtractContext())


def test_findings_keep_nemo_wording_and_reading_order(tmp_path):
    got = [(d.code, d.line, d.message) for d in _extract(tmp_path).diagnostics]
    assert got == [
        ("SL007", 11, "`model.global_batch_size` is `${training.model.gbs}`: ${training.model.gbs} names a key "
                      "that is not in this file; its value is not guessed"),
        ("SL004", 17, "`model.optim.lr` should be a finite number below 2**63, not '.inf'"),
        ("SL004", 19, "`model.optim.eps` should be a number, not '2024-01-01'"),
        ("SL004", 4, "`trainer.gradient_clip_val` should be a number, not '\"1.0\"'"),
    ]


def test_a_count_with_a_fraction_is_left_unread_without_a_finding(tmp_path):
    ex = _extract(tmp_path)
    assert "micro_batch" not in ex.facts and all(d.line != 12 for d in ex.diagnostics)


def test_provenance_of_resolved_values(tmp_path):
    facts = _extract(tmp_path).facts
    hidden = facts["hidden_size"]
    assert (hidden.value, hidden.source.kind) == (256, "derived")
    assert hidden.source.formula == "multiply(4, model.kv_channels)"
    assert hidden.source.note == "model.hidden_size = ${multiply(4, model.kv_channels)} (OmegaConf resolver)"
    seq = facts["seq_len"]
    assert (seq.value, seq.source.key) == (2048, "model.encoder_seq_length")
    assert seq.source.note == "via model.data.seq_length"


def test_flags_are_not_stripped(tmp_path):
    # `" false"` is no boolean to OmegaConf (a non-empty string): the embeddings stay tied
    assert _extract(tmp_path).arch.tied_embeddings is True


def test_dotted_path_still_parses_text_with_the_framework_loader(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("lr: 5e-4\nsteps: 2.5\n")
    reader = ConfigReader(load_document(str(path)), "test")
    assert reader.number("lr").value == 0.0005 and reader.integer("steps") is None
    assert [d.message for d in reader.diagnostics] == ["`steps` should be a whole number, not '2.5'"]
