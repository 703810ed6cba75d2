"""`steplint suggest`: write the Step Law recipe for a framework (logic in steplint.suggest).

Output forms are pinned in architecture.md section 5: the framework's own file on stdout
(or `-o FILE`), DeepSpeed's notes on stderr (JSON has no comments); `--format json` prints
{"framework", "text", "facts", "notes"}. Exit 0 when written, 2 for usage errors.
"""

from __future__ import annotations

import json
from typing import Optional

import click

from steplint.commands._usage import UsageLineErrors
from steplint.commands._types import Quantity

FRAMEWORKS = ("megatron", "nemo", "neox", "deepspeed", "hf", "torchtitan")  # = steplint.suggest.WRITERS


class Count(Quantity):
    name = "count"

    def __init__(self) -> None:
        super().__init__(integer=True)


@click.command("suggest", cls=UsageLineErrors,
               options_metavar="--params N --tokens D --seq-len S --world-size W --framework F [OPTIONS]",
               context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--params", "n_params", type=Quantity(), required=True, metavar="N",
              help="Non-embedding parameters (Step Law N), e.g. 1B or 1e9.")
@click.option("--tokens", type=Quantity(), required=True, metavar="D", help="Training tokens, e.g. 100B.")
@click.option("--seq-len", type=Quantity(integer=True, binary=True), required=True, metavar="S",
              help="Training sequence length; k is 1024 here (4k = 4096).")
@click.option("--world-size", type=Count(), required=True, metavar="W", help="Number of GPUs.")
@click.option("--micro-batch", type=Count(), default="1", show_default=True, metavar="M",
              help="Sequences per GPU per forward pass.")
@click.option("--tensor-parallel", type=Count(), default="1", show_default=True, metavar="T")
@click.option("--pipeline-parallel", type=Count(), default="1", show_default=True, metavar="P")
@click.option("--framework", type=click.Choice(FRAMEWORKS), required=True, help="Whose format and key names to write.")
@click.option("-o", "--output-file", type=click.Path(dir_okay=False, writable=True), help="Write here instead of stdout.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
def command(n_params: float, tokens: float, seq_len: float, world_size: float, micro_batch: float,
            tensor_parallel: float, pipeline_parallel: float, framework: str, output_file: Optional[str],
            output_format: str) -> None:
    """Write the Step Law optimal recipe (LR, batch, schedule, steps) in a framework's format."""
    from steplint.suggest import Layout, LayoutError, suggest

    layout = Layout(int(world_size), int(micro_batch), int(tensor_parallel), int(pipeline_parallel))
    try:
        s = suggest(framework, n_params, tokens, int(seq_len), layout)
    except LayoutError as error:
        raise click.UsageError(str(error))
    out = json.dumps(s.to_json(), indent=2, ensure_ascii=False) + "\n" if output_format == "json" else s.text
    if output_file:
        from steplint.atomic import write_atomic

        try:
            write_atomic(output_file, out)
        except OSError as error:
            click.echo(f"steplint: {output_file}: cannot write: {error.strerror or error}", err=True)
            raise click.exceptions.Exit(2)
    else:
        click.echo(out, nl=False)
    if output_format == "text":
        for note in s.notes:
            click.echo(f"note: {note}", err=True)
