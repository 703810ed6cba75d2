"""Loading files into position-keeping `Document`s (see `nodes.py` for the tree).

`load.load_document` is the entry point: size cap, UTF-8/BOM, newline, format choice; it
hands the text to `yaml_loader`, `json_loader`, `toml_loader` or `shell`. `values` reads
numbers the way each framework's loader does; `findings` builds the loaders' SL001/SL002/
SL004 diagnostics; `comments` finds `#` comments for inline suppressions.
"""
