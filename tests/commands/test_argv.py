"""The click-free reader of `steplint check` argv (steplint.commands._argv) against click:
whenever it does not defer (None), it gives exactly click's own parse."""

from __future__ import annotations

import os

import click
import pytest
from hypothesis import given, settings, strategies as st

from steplint.commands import check
from steplint.commands._argv import FLAG, read_args

FLAGS = sorted(d for o in check.OPTIONS for d in o.decls if d.startswith("-"))
VALUES = ["text", "json", "sarif", "full", "error", "info", "never", "always", "steplaw", "deepseek", "bogus",
          "SL3", "a.yaml,b.json", "", "=", "x=y", "-", "--fix", "-q", "7B", "1.4T", "4k", "megatron", "examples",
          "tests", "nope/missing.yaml", "examples/megatron_gpt_800m.yaml"]
TOKENS = st.one_of(
    st.sampled_from(FLAGS),
    st.sampled_from(VALUES),
    st.builds(lambda f, v: f"{f}={v}", st.sampled_from(FLAGS), st.sampled_from(VALUES)),
    st.sampled_from(["--", "-h", "--help", "-qo", "-ofile", "-o=x", "--no-such", "--fi", "-x"]),
    st.text(alphabet="ab-=.,/ ", max_size=6),
)


def click_parse(args: list[str]):
    """(paths, params) as click parses them, or the usage error it raises."""
    ctx = check.command.make_context("check", list(args))
    params = dict(ctx.params)
    return params.pop("paths"), params


@settings(max_examples=600, deadline=None)
@given(st.lists(TOKENS, max_size=8))
def test_reader_equals_click_whenever_it_answers(args):
    ours = read_args(check.OPTIONS, args)
    if ours is None:
        return
    assert click_parse(args) == ours


@pytest.mark.parametrize("args", [
    ["--isolated", "examples/megatron_gpt_800m.yaml"],
    ["examples", "--select", "SL3", "--select=SL4", "-q", "--format", "json", "-o", "out.json"],
    ["--law", "deepseek", "--fail-on=info", "--recipe", "a.yaml,b.json", "--exit-zero", "-"],
    ["--world-size", "8", "--tokens=1.4T", "--seq-len", "4k", "--params", "7B", "--model", "m", "--config", "c"],
    [],
])
def test_plain_command_lines_are_read_without_click(args):
    ours = read_args(check.OPTIONS, args)
    assert ours is not None and click_parse(args) == ours


@pytest.mark.parametrize("args", [
    ["--help"], ["-h"], ["--", "x"], ["-qo", "f"], ["--fix=1"], ["--format", "xml"], ["--select"],
    ["--select", "--fix"], ["--no-such-flag"], ["-o", "examples"], ["--law-file", "examples"],
])
def test_anything_else_is_left_to_click(args):
    assert read_args(check.OPTIONS, args) is None


def test_every_option_is_in_the_click_command():
    """The click command is built from the same declarations, in the same order."""
    names = [p.name for p in check.command.params]
    assert names == ["paths"] + [p for p in check.read_args(check.OPTIONS, [])[1]]
    flags = {p.name: p.is_flag for p in check.command.params if isinstance(p, click.Option)}
    assert flags == {o.decls[-1].lstrip("-").replace("-", "_") if o.decls[-1][0] == "-" else o.decls[-1]:
                     o.kind == FLAG for o in check.OPTIONS}


@pytest.mark.skipif(os.name == "nt" or os.geteuid() == 0, reason="permissions do not apply here")
def test_an_unreadable_path_goes_to_click(tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("a: 1\n", encoding="utf-8")
    secret.chmod(0)
    assert read_args(check.OPTIONS, [str(secret)]) is None
