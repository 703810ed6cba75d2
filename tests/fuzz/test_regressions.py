"""Each internal error the fuzz campaign found, as a fixed input: the run must end with a
defined exit code and no internal error (tests/fuzz/CAMPAIGN.md lists them)."""

from __future__ import annotations

import pytest

from fuzz.harness import run_case

CASES = {
    # SL101: accumulation 0 with the micro batch missing: DeepSpeed's divisor is 0
    "ds-zero-accumulation": {"ds_config.json": b'{"train_batch_size": 256, "gradient_accumulation_steps": 0}'},
    # SL101: "1e400" as a string read as inf by float(), then `inf % x`
    "ds-string-1e400": {"ds_config.json": b'{"train_batch_size": "1e400", "train_micro_batch_size_per_gpu": NaN,'
                                          b' "gradient_accumulation_steps": 0}'},
    # SL101: 1e-300 x 1e-300 underflows to 0.0, the divisor of `train % per_rank` (campaign seed 15, input 13152)
    "ds-underflow": {"ds_config.json": b'{"train_batch_size": 256, "train_micro_batch_size_per_gpu": 1e-300,'
                                       b' "gradient_accumulation_steps": 1e-300}'},
    # two files giving one field, one as a 400-digit integer, one as a float: math.isclose overflowed
    # (campaign seed 15, input 17380)
    "huge-int-conflict": {"hf_args.yaml": b"per_device_train_batch_size: 8\ngradient_accumulation_steps: 4\n"
                                          b"learning_rate: 3.0e-4\nadam_beta2: 0.95\nmax_steps: 1000\n"
                                          b"deepspeed: ds_config.json\n",
                          "ds_config.json": b'{"train_micro_batch_size_per_gpu": 8, "optimizer": {"type": "AdamW",'
                                            b' "params": {"lr": 3e-4, "betas": [0.9, 1' + b"0" * 400 + b']}}}'},
    # a min LR written as a 400-digit integer, formatted into a message with %e (campaign seed 15, input 18005)
    "huge-int-message": {"hf_args.yaml": b"per_device_train_batch_size: 8\ngradient_accumulation_steps: 4\n"
                                         b"learning_rate: 3.0e-4\nlr_scheduler_type: cosine_with_min_lr\n"
                                         b"lr_scheduler_kwargs:\n  min_lr: 1" + b"0" * 400 + b"\nmax_steps: 1000\n"},
    # a sequence length of 0.5 (`block_size: 5.0e-01`) truncated to 0 for the law (campaign seed 15, input 36776)
    "half-token-seq-len": {"hf_args.yaml": b"per_device_train_batch_size: 8\ngradient_accumulation_steps: 4\n"
                                           b"learning_rate: 3.0e-4\nlr_scheduler_type: cosine\nwarmup_steps: 100\n"
                                           b"max_steps: 1000\nconfig_name: config.json\nblock_size: 5.0e-01\n",
                           "config.json": b'{"model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008,'
                                          b' "num_hidden_layers": 32, "num_attention_heads": 32, "vocab_size": 32000}'},
    # Megatron --rampup-batch-size with 0 ramp samples: samples per increment is 0
    "rampup-zero-samples": {"train.sh": b"#!/bin/bash\ntorchrun pretrain_gpt.py --num-layers 24 --hidden-size 2048 "
                                        b"--num-attention-heads 16 --seq-length 2048 --micro-batch-size 4 "
                                        b"--global-batch-size 256 --rampup-batch-size 32 32 0 --lr 3.0e-4 "
                                        b"--train-iters 100000\n"},
    # a heredoc target holding a NUL: os.path.realpath raises ValueError on it
    "heredoc-nul-path": {"train.sh": b"#!/bin/bash\ncat <<EOF > ds\x00config.json\n{\"train_batch_size\": 8}\nEOF\n"
                                     b"deepspeed pretrain_gpt.py --deepspeed_config ds\x00config.json --lr 3e-4\n"},
    # a billion layers and a zero-divisor ramp together (no work may scale with the file's numbers)
    "billion-layers": {"megatron.yaml": b"num_layers: 1000000000\nhidden_size: 1.0e+300\nnum_attention_heads: 16\n"
                                        b"seq_length: 2048\nglobal_batch_size: 256\nmicro_batch_size: 0\n"
                                        b"rampup_batch_size: [32, 0, 1000000]\nlr: 3.0e-4\ntrain_iters: 1000000000000\n"},
    # a malformed implicit timestamp and an opaque tag in one file
    "bad-timestamp": {"nemo.yaml": b"when: 2026-13-45\nt: !!timestamp 2026-02-30\ninc: !include x.yaml\n"
                                   b"trainer:\n  max_steps: 10\nmodel:\n  optim:\n    lr: 3.0e-4\n"},
    # an HF `deepspeed:` path of one NUL: the "outside the tree?" test ran os.path.realpath on it
    # (campaign seed 15, input 40879; resolve.py)
    "nul-deepspeed-path": {"hf_args.yaml": b'per_device_train_batch_size: 8\nlearning_rate: 3.0e-04\n'
                                           b'"deepspeed": "\\u0000"\n'},
    # a negative peak LR placed on the law by `show` (the rules skip it): ValueError from laws/steplaw.py
    # (campaign seed 15, input 41484; commands/show.py)
    "show-negative-lr": {"train.sh": b"#!/bin/bash\ntorchrun pretrain_gpt.py --num-layers 24 --hidden-size 2048 "
                                     b"--num-attention-heads 16 --seq-length 2048 --micro-batch-size 4 "
                                     b"--global-batch-size 256 --lr -1 --train-iters 100000\n"},
    # a token budget of 5e-324 (denormal): D/N underflows to 0.0, then low / 0.0 in the extrapolation
    # factor (campaign seed 15, input 49717; laws/verdict.py)
    "denormal-tokens": {"litgpt.yaml": b"model_name: pythia-160m\ntrain:\n  global_batch_size: 512\n"
                                       b"  micro_batch_size: 4\n  max_tokens: 5e-324\n  max_seq_length: 2048\n"},
    # an SL006 conflict quotes both files' values: its related location's message carried a
    # 5,000-character schedule name whole (campaign seed 15, input 59828; engine.py _tame)
    "related-long-value": {"train.sh": b"#!/bin/bash\ntorchrun pretrain_gpt.py --num-layers 24 --hidden-size 2048 "
                                       b"--num-attention-heads 16 --seq-length 2048 --micro-batch-size 4 --lr 3.0e-4 "
                                       b"--lr-decay-style " + b"x" * 5000 + b" --train-iters 100000 "
                                       b"--deepspeed_config ds_config.json\n",
                           "ds_config.json": b'{"train_batch_size": 256, "scheduler": {"type": "WarmupDecayLR",'
                                             b' "params": {"warmup_num_steps": 1000, "total_num_steps": 10000}}}'},
    # the same through a sequence length of 4.9e-324 (`block_size`): tokens = steps x batch x seq_len
    # is denormal (campaign seed 15, input 95929; laws/verdict.py)
    "denormal-seq-len": {"hf_args.yaml": b"per_device_train_batch_size: 8\ngradient_accumulation_steps: 4\n"
                                         b"learning_rate: 3.0e-4\nmax_steps: 1000\nconfig_name: config.json\n"
                                         b"block_size: 4.9e-324\ndeepspeed: ds_config.json\n",
                         "ds_config.json": b'{"train_batch_size": 256, "train_micro_batch_size_per_gpu": 4,'
                                           b' "gradient_accumulation_steps": 8}',
                         "config.json": b'{"model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008,'
                                        b' "num_hidden_layers": 32, "num_attention_heads": 32, "vocab_size": 32000}'},
    # a min LR written as a 1,200-bit hex integer: SL203's LR-at-the-last-step arithmetic
    # overflowed converting it to a float (campaign seed 16, input 17668; rules/sl203_decay_horizon.py)
    "huge-hex-min-lr": {"hf_args.yaml": b"per_device_train_batch_size: 8\ngradient_accumulation_steps: 4\n"
                                        b"lr_scheduler_type: cosine_with_min_lr\nlr_scheduler_kwargs:\n"
                                        b"  min_lr: 0x" + b"f" * 300 + b"\nwarmup_steps: 100\nmax_steps: 1000\n"
                                        b"deepspeed: ds_config.json\n",
                        "ds_config.json": b'{"train_batch_size": 256, "scheduler": {"type": "WarmupDecayLR",'
                                          b' "params": {"warmup_num_steps": 1000, "total_num_steps": 10000}}}'},
    # a 300-character value split by U+2028: the bound cut runs before escaping, and the escape
    # `\u2028` joined the two halves into one 300-character run (campaign seed 16, input 23090; engine.py)
    "escape-joins-runs": {"train.sh": b"#!/bin/bash\ntorchrun pretrain_gpt.py --num-layers 24 --lr 3.0e-4 "
                                      b"--lr-decay-style 0x" + b"f" * 150 + "\u2028".encode() + b"f" * 150 +
                                      b" --train-iters 100000\n"},
    # an explicit `!!timestamp` whose text is no timestamp: PyYAML's constructor called
    # `None.groupdict()` (campaign seed 19, input 9767; documents/yaml_convert.py)
    "explicit-bad-timestamp": {"llamafactory.yaml": b"t: !!timestamp 2026-02\n"},
    # a config.json vocab_size of 400 digits: the other laws' inputs converted it with float()
    # (campaign seed 21, input 1051; laws/common.py positive)
    "huge-int-vocab": {"hf_args.yaml": b"per_device_train_batch_size: 8\ngradient_accumulation_steps: 4\n"
                                       b"learning_rate: 3.0e-4\nmax_steps: 1000\nconfig_name: config.json\n"
                                       b"block_size: 1024\ndeepspeed: ds_config.json\n",
                       "ds_config.json": b'{"train_batch_size": 1000000000000000, "train_micro_batch_size_per_gpu": 4,'
                                         b' "gradient_accumulation_steps": 1000000}',
                       "config.json": b'{"model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008,'
                                      b' "num_hidden_layers": 32, "num_attention_heads": 32, "vocab_size": 1'
                                      + b"0" * 400 + b'}'},
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_found_by_the_campaign(name, tmp_path):
    for i in range(3):  # three indexes: the harness rotates reporters and fix modes by index
        outcome = run_case(CASES[name], str(tmp_path), i)
        assert outcome.ok, outcome.problem


def test_findings_quote_only_an_excerpt_of_a_long_or_raw_value(tmp_path):
    """Found by the campaign: a bad-value message and SL301 quoted a 5,000-character
    value whole; a NUL went to the log raw."""
    from click.testing import CliRunner

    from steplint.cli import cli

    cfg = tmp_path / "neox.yml"
    cfg.write_text("num-layers: 24\nhidden-size: 2048\nnum-attention-heads: 16\nseq-length: 2048\n"
                   f"lr-decay-style: {'x' * 5000}\nwarmup: \"a\\0b{'y' * 3000}\"\n"
                   "optimizer:\n  type: Adam\n  params:\n    lr: 3.0e-4\n")
    r = CliRunner().invoke(cli, ["check", "--isolated", str(cfg)])
    assert r.exit_code in (0, 1), r.output
    assert "x" * 300 not in r.output and "y" * 300 not in r.output and "\0" not in r.output
