"""Run `steplint check --output-format json` on a text in a temporary file: how the tests
of the upstream rules (SL001-SL004, produced by loaders, dialects and the resolver) see
their findings through the engine."""

from __future__ import annotations

import json

from click.testing import CliRunner

from steplint.cli import cli


def check_text(tmp_path, name: str, text: str, *args: str) -> tuple[int, list[tuple]]:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    r = CliRunner().invoke(cli, ["check", "--isolated", "--output-format", "json", str(path), *args])
    assert "Traceback" not in r.output
    doc = json.loads(r.output)
    return r.exit_code, [(d["code"], d["line"], d["column"], d["severity"]) for d in doc["diagnostics"]]
