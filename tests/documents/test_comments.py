"""hash_comments against the plain definition it implements, position by position."""

from hypothesis import given, settings
from hypothesis import strategies as st

from steplint.documents.comments import hash_comments
from steplint.documents.nodes import Comment


def reference(text, skip=()):
    """A `#` at the start of a line or after a blank starts a comment, unless it sits in a
    skipped span or in an earlier comment; the body runs to `\\r` or `\\n`."""
    found, busy_until = [], 0
    for at, char in enumerate(text):
        if char != "#" or at < busy_until or (at and text[at - 1] not in " \t\n"):
            continue
        if any(start <= at < end for start, end in skip):
            continue
        end = at + 1
        while end < len(text) and text[end] not in "\r\n":
            end += 1
        line_start = text.rfind("\n", 0, at) + 1
        found.append(Comment(text[at + 1:end], text.count("\n", 0, at) + 1, at - line_start + 1,
                             not text[line_start:at].strip()))
        busy_until = end
    return tuple(found)


TEXTS = st.lists(st.sampled_from(["#", "# x", " ", "\t", "\n", "\r\n", "\r", "a", "b: ", "'", "\u2028", "\x85"]),
                 max_size=30).map("".join)


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.data())
def test_hash_comments_match_the_definition(text, data):
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=4, unique=True)))
    skip = list(zip(cuts[::2], cuts[1::2]))  # ordered, not overlapping, as loaders give them
    assert hash_comments(text, skip) == reference(text, skip)


def test_blocks_of_comment_lines_keep_their_columns_and_lines():
    text = "a: 1  # one\n# two\n  # three\r\n\n# four\nb: '# no' # five"
    got = hash_comments(text, [(text.index("'#"), text.index("no'") + 3)])
    assert [(c.text, c.line, c.column, c.own_line) for c in got] == [
        (" one", 1, 7, False), (" two", 2, 1, True), (" three", 3, 3, True), (" four", 5, 1, True),
        (" five", 6, 11, False)]


def test_found_comments_are_found_on_first_use_and_equal_the_tuple(monkeypatch):
    import copy
    import pickle

    from steplint.documents import comments as module
    from steplint.documents.load import load_document

    calls = []
    real = module.hash_comments
    monkeypatch.setattr(module, "hash_comments", lambda *a: calls.append(a) or real(*a))
    text = "a: 1  # one\n# two\nb: '# not one'\n"
    doc = load_document("c.yaml", text=text)
    assert calls == []  # loading alone finds no comment
    expected = real(text, [(text.index("'"), text.rindex("'") + 1)])
    assert [c.text for c in expected] == [" one", " two"]
    assert doc.comments == expected and expected == doc.comments and hash(doc.comments) == hash(expected)
    assert len(calls) == 1
    assert list(doc.comments) == list(expected) and doc.comments[1] == expected[1] and len(doc.comments) == 2
    assert len(calls) == 1  # found once
    assert pickle.loads(pickle.dumps(doc)) == doc and copy.deepcopy(doc).comments == expected


def test_a_text_that_cannot_hold_a_directive_never_has_its_comments_found(monkeypatch):
    from steplint import suppression
    from steplint.documents import comments as module
    from steplint.documents.load import load_document

    calls = []
    real = module.hash_comments
    monkeypatch.setattr(module, "hash_comments", lambda *a: calls.append(a) or real(*a))
    assert suppression.directives(load_document("c.yaml", text="lr: 1  # plain remark\n")) == ()
    assert calls == []
    found = suppression.directives(load_document("d.yaml", text="lr: 1  # steplint: ignore[SL302]\n"))
    assert len(found) == 1 and len(calls) == 1
