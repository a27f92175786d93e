from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vigie.lib.id_runs import compress, expand


def test_it_writes_a_fan_outs_batch_as_one_pair() -> None:
    assert compress(list(range(1_001, 1_501))) == [[1_001, 1_500]]


def test_it_keeps_lone_ids_and_the_order() -> None:
    assert compress([9, 3, 4, 5, 20, 2]) == [9, [3, 5], 20, 2]


def test_it_reads_a_plain_list_of_ids_as_it_is() -> None:
    assert expand([7, 3, 12]) == [7, 3, 12]  # a task queued before the runs


def test_it_refuses_a_run_that_ends_before_it_starts() -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        expand([[10, 9]])


@given(st.lists(st.integers(min_value=1, max_value=2_000), max_size=300))
def test_it_gives_back_exactly_the_ids_it_was_given(ids: list[int]) -> None:
    runs = compress(ids)

    assert expand(runs) == ids
    assert len(runs) <= len(ids)
