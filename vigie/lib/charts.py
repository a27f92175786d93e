"""Server-drawn SVG bar charts: counts per week, stacked by kind (no script, no CDN).

The moderation dashboard and the town hall console draw theirs from here; each page
also prints the same figures as a table, for screen readers and for copying.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

WIDTH = 640
HEIGHT = 200
MARGIN = 24


@dataclass(frozen=True)
class Series:
    """One kind of bar segment; its colour keeps 3:1 against both light and dark pages."""

    key: str
    label: str
    colour: str


@dataclass(frozen=True)
class Segment:
    kind: str
    label: str
    count: int
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass(frozen=True)
class WeekRow:
    week: datetime
    total: int
    counts: list[int]  # in the order of Chart.legend
    x: float  # where the week's label goes


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    segments: list[Segment]
    weeks: list[WeekRow]
    legend: list[Series]  # only the kinds that appear
    highest: int
    total: int


def last_weeks(count: int, *, today: date | None = None) -> list[datetime]:
    """The Mondays (local midnight) of the last ``count`` weeks, this one included, as
    TruncWeek gives them, so that a week without anything still shows as zero."""
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    return [
        timezone.make_aware(datetime.combine(monday - timedelta(weeks=back), time()))
        for back in range(count - 1, -1, -1)
    ]


def weekly_bars(weeks: list[tuple[datetime, dict[str, int]]], series: Sequence[Series]) -> Chart:
    highest = max((sum(kinds.values()) for _week, kinds in weeks), default=0)
    slot = (WIDTH - 2 * MARGIN) / max(len(weeks), 1)
    bar = slot * 0.7
    scale = (HEIGHT - 2 * MARGIN) / highest if highest else 0
    used = {key for _week, kinds in weeks for key, count in kinds.items() if count}
    legend = [one for one in series if one.key in used]
    segments: list[Segment] = []
    rows: list[WeekRow] = []
    for index, (week, kinds) in enumerate(weeks):
        x = MARGIN + index * slot + (slot - bar) / 2
        bottom: float = HEIGHT - MARGIN
        for one in legend:
            count = kinds.get(one.key, 0)
            if not count:
                continue
            height = count * scale
            bottom -= height
            segments.append(
                Segment(
                    kind=one.key,
                    label=one.label,
                    count=count,
                    x=round(x, 1),
                    y=round(bottom, 1),
                    width=round(bar, 1),
                    height=round(height, 1),
                    colour=one.colour,
                )
            )
        counts = [kinds.get(one.key, 0) for one in legend]
        rows.append(WeekRow(week, sum(counts), counts, round(x + bar / 2, 1)))
    return Chart(
        WIDTH, HEIGHT, segments, rows, legend, highest, total=sum(row.total for row in rows)
    )
