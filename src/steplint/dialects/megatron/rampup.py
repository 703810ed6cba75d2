"""Megatron's batch ramp-up (`--rampup-batch-size START INC SAMPLES`), replayed to count steps.

Megatron's scheduler counts samples, so a ramp changes how many optimizer steps a
sample-based warmup, decay or training length takes; the NeMo dialect reuses this.
"""

from __future__ import annotations

import math
from typing import Optional

from steplint._namedtuple import NamedTuple

from steplint.recipe import RampUpNote

MAX_RAMP_STAGES = 100_000

# ---------------------------------------------------------------------------------------
# Batch ramp-up (megatron/core/num_microbatches_calculator.py, training.py update_train_iters)


class RampUp(NamedTuple):  # a private record: cheaper to define than a dataclass at start-up
    """`--rampup-batch-size START INC SAMPLES` up to the final global batch.

    At `consumed` samples the batch is START + int(consumed / per_increment) * INC while
    consumed <= SAMPLES, then the final batch; per_increment = SAMPLES / ((final - START) // INC).
    Batches are not rounded to multiples of micro x DP (that needs the world size)."""

    start: int
    increment: int
    samples: int
    final: int

    @classmethod
    def of(cls, start: int, increment: int, samples: int, final: int) -> Optional["RampUp"]:
        """A ramp Megatron would accept, or None. Ramps of more than MAX_RAMP_STAGES stages
        are not replayed (the replay walks stage by stage)."""
        if start <= 0 or increment <= 0 or samples <= 0 or final <= start:
            return None  # (samples 0: Megatron divides by its samples per increment, 0)
        if (final - start) // increment > MAX_RAMP_STAGES:
            return None
        return cls(start, increment, samples, final)

    @property
    def per_increment(self) -> float:
        increments = max(1, (self.final - self.start) // self.increment)
        return self.samples / increments

    def batch_at(self, consumed: int) -> int:
        if consumed > self.samples:
            return self.final
        return min(self.final, self.start + int(consumed / self.per_increment) * self.increment)

    def _stage_end(self, consumed: int) -> float:
        """First consumed count at which the batch may change (inf after the ramp)."""
        if consumed > self.samples:
            return math.inf
        k = int(consumed / self.per_increment)
        return min(math.ceil((k + 1) * self.per_increment), self.samples + 1)

    def steps_to_consume(self, samples: int) -> int:
        """Optimizer steps until at least `samples` samples are consumed (where a
        sample-based warmup or decay ends)."""
        consumed = steps = 0
        while consumed < samples:
            batch, end = self.batch_at(consumed), self._stage_end(consumed)
            need = math.ceil((samples - consumed) / batch)
            in_stage = math.ceil((end - consumed) / batch) if end != math.inf else need
            if need <= in_stage:
                return steps + need
            consumed += in_stage * batch
            steps += in_stage
        return steps

    def consumed_after(self, steps: int) -> int:
        consumed = done = 0
        while done < steps:
            batch, end = self.batch_at(consumed), self._stage_end(consumed)
            n = steps - done if end == math.inf else min(steps - done, math.ceil((end - consumed) / batch))
            consumed += n * batch
            done += n
        return consumed

    def train_iters(self, train_samples: int) -> int:
        """Megatron's `update_train_iters`: step while consumed <= min(SAMPLES, train
        samples), then whole final batches."""
        limit = min(self.samples, train_samples)
        consumed = steps = 0
        while consumed <= limit:
            batch, end = self.batch_at(consumed), self._stage_end(consumed)
            n = max(1, math.ceil((min(end, limit + 1) - consumed) / batch))
            consumed += n * batch
            steps += n
        if train_samples > consumed:
            steps += (train_samples - consumed) // self.final
        return steps

    @classmethod
    def from_flag(cls, ramp_args: Optional[tuple[list[int], object]], final: Optional[int]) -> Optional["RampUp"]:
        """The ramp of `--rampup-batch-size START INC SAMPLES` (the three integers as read)
        up to the final global batch; None when there is none."""
        if ramp_args is None or final is None or len(ramp_args[0]) != 3:
            return None
        start, increment, samples = ramp_args[0]
        return cls.of(start, increment, samples, final)

    def note(self, stops_at: Optional[int] = None) -> RampUpNote:
        """The ramp for Notes: whether a run that consumes `stops_at` samples (None: all it
        needs) gets through it, and its batch then."""
        if stops_at is not None and stops_at < self.samples:
            return RampUpNote(self.start, self.increment, self.samples, self.final, False, self.batch_at(stops_at))
        return RampUpNote(self.start, self.increment, self.samples, self.final, True)

    def describe(self) -> str:
        return f"rampup {self.start} +{self.increment} over {self.samples:,} samples to {self.final}"

