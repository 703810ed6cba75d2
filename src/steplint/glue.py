"""The shapes of the glue tables that dialects hand to the cross-file rules.

Glue rules (SL101, SL201, SL701, SL702, SL704) check how one framework's file will be read
by another framework. The key names and tables they need belong to the dialects
(`steplint.dialects.glue` fills these shapes, citing each framework's source); the resolver
attaches them to the Recipe and rules read them from their context, so no rule module spells
a framework key. This module only declares the shapes: it imports nothing of steplint.
"""

from __future__ import annotations

from typing import Mapping

from steplint._namedtuple import NamedTuple


class Exclusive(NamedTuple):
    """At most one of each group may be set (`first` group vs `second` group). A NamedTuple
    (immutable too): every run imports the rules, and it is ~6x cheaper to define than a
    dataclass."""

    first: tuple[str, ...]
    second: tuple[str, ...]
    message: str
    source: str


class TrainerPair(NamedTuple):
    """A DeepSpeed key the HF Trainer compares with a TrainingArguments key (and its default)."""

    ds_key: str
    hf_key: str
    default: float


class DeepSpeedKeys(NamedTuple):
    """What a DeepSpeed JSON is and the keys of its batch triple."""

    dialects: frozenset[str] = frozenset()
    markers: frozenset[str] = frozenset()  # keys only a DeepSpeed JSON has: an unknown file with one is DeepSpeed's
    train: str = ""
    micro: str = ""
    accumulation: str = ""
    betas: str = ""


class HfTrainerKeys(NamedTuple):
    """What an HF TrainingArguments file is, and what the Trainer reads of a DeepSpeed JSON."""

    dialects: frozenset[str] = frozenset()
    markers: frozenset[str] = frozenset()
    pairs: tuple[TrainerPair, ...] = ()
    micro: tuple[str, float] = ("", 0)  # (key, default)
    accumulation: tuple[str, float] = ("", 0)
    beta1: tuple[str, float] = ("", 0)
    beta2: tuple[str, float] = ("", 0)
    deepspeed: str = ""  # the argument that names the DeepSpeed JSON
    filled: frozenset[str] = frozenset()  # DeepSpeed keys the Trainer fills when they are "auto"
    # Dialects whose runs the HF Trainer launches with their own key names (so the Trainer fills
    # a DeepSpeed JSON's "auto"), but whose files are not TrainingArguments files (SL701 does not
    # compare their keys as TrainingArguments)
    launchers: frozenset[str] = frozenset()


class HfScheduler(NamedTuple):
    """HF's scheduler arguments: which kwargs each `lr_scheduler_type` accepts."""

    type_key: str = ""
    kwargs_key: str = ""
    accepted: Mapping[str, frozenset[str]] = {}
    min_lr_schedulers: frozenset[str] = frozenset()
    floors: tuple[str, ...] = ()  # the kwargs naming the floor (absolute, ratio)
    floor_aliases: tuple[str, ...] = ()  # names from other libraries that are not read


class Glue(NamedTuple):
    """Every glue table; the empty default makes glue rules quiet on a hand-built Recipe."""

    deepspeed: DeepSpeedKeys = DeepSpeedKeys()
    hf: HfTrainerKeys = HfTrainerKeys()
    hf_scheduler: HfScheduler = HfScheduler()
    exclusive: Mapping[str, tuple[Exclusive, ...]] = {}  # dialect -> flags its parser refuses together


NO_GLUE = Glue()
