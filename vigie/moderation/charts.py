"""A server-drawn SVG bar chart: decisions per week, stacked by kind (no script, no CDN)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vigie.moderation.models import DecisionKind

WIDTH = 640
HEIGHT = 200
MARGIN = 24
# Colours that stay apart for the common kinds of colour blindness (Okabe-Ito).
COLOURS = {
    DecisionKind.ALERT_APPROVED: "#009E73",
    DecisionKind.ALERT_REDACTED: "#56B4E9",
    DecisionKind.ALERT_REJECTED: "#E69F00",
    DecisionKind.DISMISSED: "#999999",
    DecisionKind.REMOVED: "#D55E00",
    DecisionKind.REMOVED_AND_WARNED: "#CC79A7",
    DecisionKind.WARNED: "#F0E442",
    DecisionKind.SUSPENDED: "#0072B2",
    DecisionKind.BANNED: "#000000",
}


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
class Chart:
    width: int
    height: int
    segments: list[Segment]
    weeks: list[tuple[datetime, int, float]]  # week, total, label x
    legend: list[tuple[str, str]]
    highest: int


def weekly_bars(weeks: list[tuple[datetime, dict[str, int]]]) -> Chart:
    highest = max((sum(kinds.values()) for _week, kinds in weeks), default=0)
    slot = (WIDTH - 2 * MARGIN) / max(len(weeks), 1)
    bar = slot * 0.7
    scale = (HEIGHT - 2 * MARGIN) / highest if highest else 0
    segments: list[Segment] = []
    labels: list[tuple[datetime, int, float]] = []
    used: set[str] = set()
    for index, (week, kinds) in enumerate(weeks):
        x = MARGIN + index * slot + (slot - bar) / 2
        bottom: float = HEIGHT - MARGIN
        for kind in DecisionKind.values:
            count = kinds.get(kind, 0)
            if not count:
                continue
            used.add(kind)
            height = count * scale
            bottom -= height
            segments.append(
                Segment(
                    kind=kind,
                    label=str(DecisionKind(kind).label),
                    count=count,
                    x=round(x, 1),
                    y=round(bottom, 1),
                    width=round(bar, 1),
                    height=round(height, 1),
                    colour=COLOURS[DecisionKind(kind)],
                )
            )
        labels.append((week, sum(kinds.values()), round(x + bar / 2, 1)))
    legend = [
        (str(DecisionKind(kind).label), COLOURS[DecisionKind(kind)])
        for kind in DecisionKind.values
        if kind in used
    ]
    return Chart(WIDTH, HEIGHT, segments, labels, legend, highest)
