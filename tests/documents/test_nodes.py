"""The node tree's value contract: container nodes copy and pickle like the scalars."""

import copy
import pickle

import pytest

from steplint.documents.load import load_document
from steplint.documents.nodes import MappingNode, SequenceNode, lookup

TEXT = "model:\n  layers: [1, 2, 3]\n  name: gpt\nsteps: 10\n"


@pytest.mark.parametrize("clone", [copy.copy, copy.deepcopy, lambda node: pickle.loads(pickle.dumps(node))],
                         ids=["copy", "deepcopy", "pickle"])
def test_container_nodes_copy_and_pickle_to_equal_immutable_values(clone):
    doc = load_document("t.yaml", text=TEXT)
    for node in (doc.root, lookup(doc.root, "model"), lookup(doc.root, "model.layers")):
        got = clone(node)
        assert type(got) is type(node) and got == node and hash(got) == hash(node)
        assert (got.items, got.span, got.flow) == (node.items, node.span, node.flow)
        with pytest.raises(AttributeError):
            got.flow = not got.flow
    assert isinstance(clone(doc).root, MappingNode)
    assert isinstance(clone(lookup(doc.root, "model.layers")), SequenceNode)


def test_scalar_nodes_keep_the_five_field_contract():
    """ScalarNode stores its span flat, but builds, compares, copies and reads as
    ScalarNode(value, text, span, style, tag) did."""
    from steplint.diagnostics import Mark, Span
    from steplint.documents.nodes import ScalarNode

    span = Span(Mark(2, 5, 9), Mark(2, 8, 12))
    node = ScalarNode(1e-4, "1e-4", span, tag="tag:yaml.org,2002:float")
    assert node == ScalarNode(value=1e-4, text="1e-4", span=span, style=None, tag="tag:yaml.org,2002:float")
    assert (node.value, node.text, node.span, node.style, node.tag) == (1e-4, "1e-4", span, None,
                                                                       "tag:yaml.org,2002:float")
    assert node[0] == 1e-4 and node[1] == "1e-4" and node.span.start.line == 2 and node.span.end.offset == 12
    assert node != node._replace(span=Span(Mark(3, 5, 9), Mark(3, 8, 12))) != node._replace(style="'")
    assert node._replace(value=2).value == 2 and node._replace(value=2).span == span
    assert node._asdict() == {"value": 1e-4, "text": "1e-4", "span": span, "style": None,
                              "tag": "tag:yaml.org,2002:float"}
    assert ScalarNode._make(node._asdict().values()) == node and ScalarNode._fields[2] == "span"
    assert repr(node) == ("ScalarNode(value=0.0001, text='1e-4', span=Span(start=Mark(line=2, column=5, offset=9), "
                          "end=Mark(line=2, column=8, offset=12)), style=None, tag='tag:yaml.org,2002:float')")
    for clone in (copy.copy, copy.deepcopy, lambda n: pickle.loads(pickle.dumps(n))):
        got = clone(node)
        assert type(got) is ScalarNode and got == node and hash(got) == hash(node) and got.span == span
    with pytest.raises(ValueError):
        node._replace(colour="red")
    with pytest.raises(AttributeError):
        node.value = 2


def test_loaded_scalars_equal_the_ones_built_from_their_span():
    doc = load_document("t.yaml", text=TEXT)
    from steplint.documents.nodes import ScalarNode, walk

    scalars = [n for _, n in walk(doc.root) if isinstance(n, ScalarNode)]
    scalars += [k for _, n in walk(doc.root) if isinstance(n, MappingNode) for k, _ in n.items]
    assert len(scalars) == 5 + 4  # values 1, 2, 3, gpt, 10; keys model, layers, name, steps
    for n in scalars:
        assert n == ScalarNode(n.value, n.text, n.span, n.style, n.tag)
        assert doc.text[n.span.start.offset:n.span.end.offset] == n.text
