"""Which files form which recipe (architecture.md section 5).

Each passed path is a recipe of its own, plus the files it names itself (the resolver
follows those). A group declared with `--recipe a,b` or `[[tool.steplint.recipes]]` is
loaded whole as soon as one member is passed, since pre-commit passes only the changed
files, in parallel batches; findings are reported only for the passed members, so no
batch reports a finding of a file it was not given.
"""

from __future__ import annotations

import os
from types import MappingProxyType
from typing import Any, Iterable, Mapping, Optional

from steplint._namedtuple import NamedTuple


class RecipePlan(NamedTuple):
    """One recipe to load: `files` in load order, `reported` the passed ones among them,
    `facts` the group's own facts (world size, tokens, ...) from settings. A NamedTuple:
    cheaper to define than a dataclass on every run's start-up."""

    files: tuple[str, ...]
    reported: tuple[str, ...]
    facts: Mapping[str, Any] = MappingProxyType({})
    origin: str = ""  # "--recipe", a settings file, or "" for a single path


def _key(path: str, folders: Optional[dict[str, str]] = None) -> str:
    """One spelling per file: its real path. `folders` memoizes the real path of each folder
    within one call (a thousand files in twenty folders: a realpath is an lstat per path
    component), so only the file's own name is tested for a symlink."""
    if folders is not None:
        head, tail = os.path.split(path)
        if tail and tail not in (".", "..") and "\0" not in path:
            real_head = folders.get(head)
            if real_head is None:
                real_head = folders[head] = os.path.realpath(head or os.curdir)
            joined = os.path.join(real_head, tail)
            if not os.path.islink(joined):  # what realpath's last step does with it
                return os.path.normcase(joined)
    return os.path.normcase(os.path.realpath(path))


def declared_groups(*settings: Any) -> tuple[Any, ...]:
    """The recipe groups of several settings (the run's, then each file's), each once and
    in that order, so the first group holding a path still wins."""
    groups: dict[tuple[tuple[str, ...], str], Any] = {}
    for one in settings:
        for group in getattr(one, "recipes", ()) or ():
            groups.setdefault((tuple(group.files), group.origin), group)
    return tuple(groups.values())


def plan_recipes(paths: Iterable[str], settings: Any) -> list[RecipePlan]:
    """Recipes for `paths`, in the order their first passed member appears.

    The first declared group holding a path wins (`--recipe` groups come before settings
    groups in `settings.recipes`); a group is planned once however many members are passed.
    With per-file discovery (`settings.discover`) the groups of every settings file the
    paths reach count too.
    """
    paths = list(paths)
    if getattr(settings, "discover", False):
        from steplint.settings import for_path

        groups = declared_groups(settings, *(for_path(settings, p) for p in paths))
    else:
        groups = tuple(getattr(settings, "recipes", ()) or ())
    folders: dict[str, str] = {}
    members = [{_key(f, folders) for f in group.files} for group in groups]
    plans: list[RecipePlan] = []
    planned: dict[int, int] = {}  # group index -> plan index
    seen: set[str] = set()
    for path in paths:
        key = _key(path, folders)
        if key in seen:
            continue
        seen.add(key)
        index = next((i for i, keys in enumerate(members) if key in keys), None)
        if index is None:
            plans.append(RecipePlan(files=(path,), reported=(path,)))
            continue
        if index in planned:
            plan = plans[planned[index]]
            plans[planned[index]] = RecipePlan(plan.files, plan.reported + (path,), plan.facts, plan.origin)
            continue
        group = groups[index]
        # the passed spelling of a member replaces the declared one, so reports use it
        files = tuple(path if _key(f, folders) == key else f for f in group.files)
        planned[index] = len(plans)
        plans.append(RecipePlan(files=files, reported=(path,), facts=dict(group.facts), origin=group.origin))
    return plans
