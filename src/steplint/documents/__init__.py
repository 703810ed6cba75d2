"""Loading files into position-keeping `Document`s (see `nodes.py` for the tree)."""
