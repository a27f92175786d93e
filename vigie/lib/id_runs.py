"""A list of ids as runs: ``[5, [10, 2_000], 2_003]`` for 5, 10 to 2,000, and 2,003.

A fan-out queues its sending by batches of 500 delivery ids, which the ids
taken from the table's sequence make consecutive. Written out, a 30,000-row
fan-out's batches were 30,000 numbers that django-tasks normalised twice and
PostgreSQL parsed as JSON: 0.04-0.07 s of a 0.4 s fan-out (docs/performance.md).
As runs, an urgent alert's batch is one pair (held deliveries, and other fan-outs
taking ids meanwhile, leave gaps: more runs, never a lost id). Order is kept: a run
is only ids that follow one another in the list, each one more than the last.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

Runs = list[int | list[int]]


def compress(ids: Sequence[int]) -> Runs:
    """These ids, in their order, each run of two or more consecutive ones as [first, last]."""
    runs: Runs = []
    index, count = 0, len(ids)
    while index < count:
        first = ids[index]
        end = index + 1
        while end < count and ids[end] == ids[end - 1] + 1:
            end += 1
        runs.append([first, ids[end - 1]] if end - index > 1 else first)
        index = end
    return runs


def expand(runs: Iterable[int | Sequence[int]]) -> list[int]:
    """The ids of ``compress``'s runs; a plain list of ids comes back as it is."""
    ids: list[int] = []
    for item in runs:
        if isinstance(item, int):
            ids.append(item)
            continue
        first, last = item
        if last < first:
            raise ValueError(f"a run ends before it starts: {first}..{last}")
        ids.extend(range(first, last + 1))
    return ids
