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
