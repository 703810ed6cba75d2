"""Property tests of the fixer on generated configs, through the real loaders.

Configs are generated as trees and written out as YAML (block and flow mappings, comments
on their own lines and after values, anchors and aliases), JSON (indented or compact) and
TOML (tables, inline tables, comments), each with LF or CRLF and with or without a BOM.
Every config has a schedule floor `optim.sched.min_lr`. The properties:

- setting min_lr to 1e-5 changes exactly that value of the re-parsed tree, and it reads
  as a float; every byte outside the edited literal (comments included) is unchanged;
- a second fix changes nothing (idempotent);
- written to disk, the file keeps its BOM and line endings;
- when min_lr is a YAML anchor another key aliases, the fix is refused and nothing changes;
- inserting a missing min_lr beside its siblings adds exactly that key.
"""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from steplint.diagnostics import Applicability, Diagnostic, Expectation, Fix, Severity
from steplint.documents.nodes import lookup, to_python
from steplint.documents.edits import insert_key_edit, replace_value_edit
from steplint.fixing import (
    apply_fixes,
    write_fixes,
)
from steplint.literals import format_float

load = pytest.importorskip("steplint.documents.load")

MIN_LR = "optim.sched.min_lr"
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _has_loader(kind: str) -> bool:
    module = load.LOADERS.get(kind, ":").split(":")[0]
    return bool(module) and importlib.util.find_spec(module) is not None


# ---------------------------------------------------------------------------------------
# values and trees


class Num:
    """A float together with the literal it is written as (styles differ per file)."""

    def __init__(self, mantissa: int, exponent: int, style: str):
        self.value = float(Decimal(mantissa).scaleb(exponent))
        self.style = style

    def text(self) -> str:
        d = Decimal(repr(self.value))
        if self.style == "positional":
            out = format(d, "f")
            return out if "." in out else out + ".0"
        if self.style == "bare":  # `15e-5`: a float in JSON and TOML, a string to YAML 1.1
            sign, digits, exponent = d.normalize().as_tuple()
            return "".join(map(str, digits)) + f"e{exponent}"
        digits = max(len(d.normalize().as_tuple().digits) - 1, 1)
        out = f"{self.value:.{digits}e}"  # '1.50e-04': a dot and a signed exponent, valid everywhere
        return out.upper() if self.style == "upper" else out


_NAMES = ["alpha", "beta", "gamma", "delta", "seed", "layers", "heads", "dropout", "note", "steps"]
numbers = st.builds(Num, st.integers(1, 999), st.integers(-9, -1), st.sampled_from(["positional", "exponent", "upper", "bare"]))
scalars = st.one_of(
    st.integers(0, 10**6),
    numbers,
    st.booleans(),
    st.text("abcdefgh", min_size=1, max_size=6).map(lambda s: "s" + s),
)


def _mapping(values) -> st.SearchStrategy[dict]:
    return st.lists(st.tuples(st.sampled_from(_NAMES), values), max_size=4, unique_by=lambda kv: kv[0]).map(dict)


extra_leaves = _mapping(st.one_of(scalars, st.lists(st.integers(0, 99), min_size=1, max_size=3)))
extras = _mapping(st.one_of(scalars, _mapping(scalars)))


@st.composite
def configs(draw, *, with_floor: bool = True) -> dict:
    sched = {"name": "cosine", **draw(extra_leaves)}
    if with_floor:
        sched["min_lr"] = draw(numbers)
    sched = _shuffled(draw, sched)
    optim = _shuffled(draw, {"lr": draw(numbers), "sched": sched, **draw(extra_leaves)})
    return _shuffled(draw, {"optim": optim, **draw(extras)})


def _shuffled(draw, mapping: dict) -> dict:
    keys = draw(st.permutations(list(mapping)))
    return {k: mapping[k] for k in keys}


def plain(tree: Any) -> Any:
    if isinstance(tree, dict):
        return {k: plain(v) for k, v in tree.items()}
    if isinstance(tree, list):
        return [plain(v) for v in tree]
    return tree.value if isinstance(tree, Num) else tree


# ---------------------------------------------------------------------------------------
# writers (independent of the code under test)


def yaml_scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Num):
        return _as_yaml(v).text()
    return str(v)


def _as_yaml(v: Num) -> Num:
    """YAML 1.1 has no dotless exponent floats: write those with a dot."""
    if v.style != "bare":
        return v
    out = Num.__new__(Num)
    out.value, out.style = v.value, "exponent"
    return out


def write_yaml(tree: dict, rnd, *, anchor: str) -> str:
    """`anchor`: "" none; "other": `lr` anchored, aliased by a root key; "floor": min_lr
    anchored and aliased (so a fix of it would change two keys)."""
    indent = rnd.choice([2, 4])
    lines: list[str] = []

    def flow(v: Any) -> str:
        if isinstance(v, dict):
            return "{" + ", ".join(f"{k}: {flow(x)}" for k, x in v.items()) + "}"
        if isinstance(v, list):
            return "[" + ", ".join(flow(x) for x in v) + "]"
        return yaml_scalar(v)

    def block(mapping: dict, level: int, path: tuple) -> None:
        pad = " " * (indent * level)
        for key, v in mapping.items():
            here = path + (key,)
            if rnd.random() < 0.2:
                lines.append(f"{pad}# about {key}")
            if rnd.random() < 0.1:
                lines.append("")
            comment = f"  # {key} note" if rnd.random() < 0.4 else ""
            if isinstance(v, dict):
                if not v or rnd.random() < 0.3 and here != ("optim",):
                    text = flow(v)
                    if here == ("optim", "sched") and anchor == "floor":
                        text = text.replace(f"min_lr: {yaml_scalar(v['min_lr'])}", f"min_lr: &floor {yaml_scalar(v['min_lr'])}")
                    lines.append(f"{pad}{key}: {text}{comment}")
                else:
                    lines.append(f"{pad}{key}:{comment}")
                    block(v, level + 1, here)
            elif isinstance(v, list) and rnd.random() < 0.5:
                lines.append(f"{pad}{key}:{comment}")
                lines.extend(f"{pad}{' ' * indent}- {yaml_scalar(x)}" for x in v)
            else:
                prefix = ""
                if anchor == "floor" and here == ("optim", "sched", "min_lr"):
                    prefix = "&floor "
                if anchor == "other" and here == ("optim", "lr"):
                    prefix = "&peak "
                lines.append(f"{pad}{key}: {prefix}{flow(v)}{comment}")

    if rnd.random() < 0.5:
        lines.append("# generated config")
    block(tree, 0, ())
    if anchor == "floor":
        lines.append("floor_copy: *floor")
    if anchor == "other":
        lines.append("peak_copy: *peak")
    return "\n".join(lines) + "\n"


def json_scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Num):
        return v.text()
    if isinstance(v, str):
        return f'"{v}"'
    return str(v)


def write_json(tree: dict, rnd) -> str:
    indent = rnd.choice(["  ", "    ", "\t", None])

    def value(v: Any, level: int) -> str:
        if isinstance(v, dict):
            items = [f'"{k}": {value(x, level + 1)}' for k, x in v.items()]
            if indent is None or not items:
                return "{" + ", ".join(items) + "}"
            inner = indent * (level + 1)
            return "{\n" + ",\n".join(inner + i for i in items) + "\n" + indent * level + "}"
        if isinstance(v, list):
            return "[" + ", ".join(value(x, level) for x in v) + "]"
        return json_scalar(v)

    return value(tree, 0) + ("\n" if rnd.random() < 0.8 else "")


def write_toml(tree: dict, rnd) -> str:
    lines: list[str] = []

    def inline(v: Any) -> str:
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {inline(x)}" for k, x in v.items()) + " }" if v else "{}"
        if isinstance(v, list):
            return "[" + ", ".join(inline(x) for x in v) + "]"
        return json_scalar(v)

    def table(mapping: dict, path: tuple) -> None:
        subtables = []
        for key, v in mapping.items():
            if isinstance(v, dict) and (path + (key,) == ("optim",) or rnd.random() < 0.6):
                subtables.append((key, v))
                continue
            if rnd.random() < 0.2:
                lines.append(f"# about {key}")
            comment = f"  # {key} note" if rnd.random() < 0.4 else ""
            lines.append(f"{key} = {inline(v)}{comment}")
        for key, v in subtables:
            lines.append("")
            lines.append(f"[{'.'.join(path + (key,))}]")
            table(v, path + (key,))

    if rnd.random() < 0.5:
        lines.append("# generated config")
    table(tree, ())
    return "\n".join(lines) + "\n"


WRITERS = {"yaml": ("cfg.yaml", write_yaml), "json": ("cfg.json", write_json), "toml": ("cfg.toml", write_toml)}


def render(kind: str, tree: dict, rnd, *, anchor: str = "", crlf: bool, bom: bool) -> str:
    name, writer = WRITERS[kind]
    text = writer(tree, rnd, anchor=anchor) if kind == "yaml" else writer(tree, rnd)
    if crlf:
        text = text.replace("\n", "\r\n")
    return ("\ufeff" if bom else "") + text


# ---------------------------------------------------------------------------------------
# the fix, as a rule would build it


def min_lr_fix(doc) -> Diagnostic:
    node = lookup(doc.root, MIN_LR)
    fix = Fix(Applicability.SAFE, "Set min LR to 1.0e-5", (replace_value_edit(doc, node, 1e-5),),
              (Expectation(doc.path, MIN_LR, 1e-5),))
    return Diagnostic("SL301", "steplaw-recipe", Severity.WARNING, "min LR", doc.path, fix=fix)


def with_floor(tree: Any, value: float) -> Any:
    out = plain(tree)
    out["optim"]["sched"]["min_lr"] = value
    return out


def _check_fix(kind: str, text: str, tree: dict, tmp_path: Path) -> None:
    name = WRITERS[kind][0]
    path = tmp_path / name
    path.write_bytes(text.encode())
    doc = load.load_document(str(path))
    assert doc.ok and doc.root is not None, doc.diagnostics
    assert to_python(doc.root) == plain(tree)

    diag = min_lr_fix(doc)
    result = apply_fixes([diag], {doc.path: doc})
    assert result.refused == (), result.refused
    edit = diag.fix.edits[0]
    if doc.text[edit.start:edit.end] == edit.replacement:  # already `0.00001`: nothing to do
        assert result.texts == {} and result.applied == ()
        return
    new_text = result.texts[doc.path]
    # every byte outside the literal is the original's
    assert new_text == doc.text[: edit.start] + edit.replacement + doc.text[edit.end:]
    assert "\n" not in edit.replacement and "#" not in edit.replacement
    new = load.load_document(str(path), text=new_text)
    value = lookup(new.root, MIN_LR).value
    assert isinstance(value, float) and value == 1e-5
    assert to_python(new.root) == with_floor(tree, 1e-5)

    write_fixes(result)
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") == text.startswith("\ufeff")
    assert data.count(b"\r\n") == text.count("\r\n")

    again = load.load_document(str(path))
    second = apply_fixes([min_lr_fix(again)], {again.path: again})
    assert second.texts == {} and second.applied == ()
    assert path.read_bytes() == data


# ---------------------------------------------------------------------------------------
# properties


@PROPERTY
@given(tree=configs(), rnd=st.randoms(use_true_random=False), anchor=st.sampled_from(["", "other"]),
       crlf=st.booleans(), bom=st.booleans())
def test_yaml_fix_changes_exactly_the_floor(tmp_path_factory, tree, rnd, anchor, crlf, bom):
    text = render("yaml", tree, rnd, anchor=anchor, crlf=crlf, bom=bom)
    if anchor == "other":
        tree = {**tree, "peak_copy": tree["optim"]["lr"]}
    _check_fix("yaml", text, tree, tmp_path_factory.mktemp("yaml"))


@PROPERTY
@given(tree=configs(), rnd=st.randoms(use_true_random=False), crlf=st.booleans(), bom=st.booleans())
def test_json_fix_changes_exactly_the_floor(tmp_path_factory, tree, rnd, crlf, bom):
    if not _has_loader("json"):
        pytest.skip("the JSON loader has not landed")
    _check_fix("json", render("json", tree, rnd, crlf=crlf, bom=bom), tree, tmp_path_factory.mktemp("json"))


@PROPERTY
@given(tree=configs(), rnd=st.randoms(use_true_random=False), crlf=st.booleans(), bom=st.booleans())
def test_toml_fix_changes_exactly_the_floor(tmp_path_factory, tree, rnd, crlf, bom):
    if not _has_loader("toml"):
        pytest.skip("the TOML loader has not landed")
    _check_fix("toml", render("toml", tree, rnd, crlf=crlf, bom=bom), tree, tmp_path_factory.mktemp("toml"))


@settings(max_examples=40, deadline=None)
@given(tree=configs(), rnd=st.randoms(use_true_random=False), crlf=st.booleans())
def test_yaml_fix_of_a_shared_anchor_is_refused(tree, rnd, crlf):
    # A floor already at 1e-5 needs no edit, so there would be nothing to refuse.
    assume(tree["optim"]["sched"]["min_lr"].value != 1e-5)
    text = render("yaml", tree, rnd, anchor="floor", crlf=crlf, bom=False)
    doc = load.load_document("cfg.yaml", text=text)
    assert to_python(doc.root)["floor_copy"] == tree["optim"]["sched"]["min_lr"].value
    result = apply_fixes([min_lr_fix(doc)], {doc.path: doc})
    assert result.texts == {} and result.applied == ()
    assert "floor_copy" in result.refused[0].reason


@PROPERTY
@given(tree=configs(with_floor=False), rnd=st.randoms(use_true_random=False),
       kind=st.sampled_from([k for k in WRITERS if _has_loader(k)]), crlf=st.booleans())
def test_inserting_a_missing_floor_adds_exactly_that_key(tree, rnd, kind, crlf):
    text = render(kind, tree, rnd, crlf=crlf, bom=False)
    name = WRITERS[kind][0]
    doc = load.load_document(name, text=text)
    sched = lookup(doc.root, "optim.sched")
    edit = insert_key_edit(doc, sched, "min_lr", format_float(1e-5, kind=kind))
    fix = Fix(Applicability.SAFE, "Add min LR 1.0e-5", (edit,), (Expectation(name, MIN_LR, 1e-5),))
    result = apply_fixes([Diagnostic("SL201", "hf-min-lr-kwargs", Severity.ERROR, "m", name, fix=fix)], {name: doc})
    assert result.refused == (), (result.refused, text)
    new_text = result.texts[name]
    # the original bytes all survive, in order, around the inserted entry
    assert new_text == doc.text[: edit.start] + edit.replacement + doc.text[edit.end:]
    assert doc.text[edit.start:edit.end] in edit.replacement
    if crlf:
        assert new_text.count("\n") == new_text.count("\r\n")  # inserted lines use CRLF too
    new = load.load_document(name, text=new_text)
    assert to_python(new.root) == with_floor(tree, 1e-5)
    # the fixer is now idempotent: setting the key that exists changes nothing
    assert apply_fixes([min_lr_fix(new)], {name: new}).texts == {}
