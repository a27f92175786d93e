"""The colours of alert categories in charts (the moderation and town hall dashboards)."""

from __future__ import annotations

from vigie.alerts.models import Category
from vigie.lib.charts import Series

# Each keeps at least 3:1 against both the light and the dark page (WCAG 1.4.11); the
# legend and the table name them, so colour is never the only clue.
COLOURS = {
    Category.BURGLARY: "#D62728",
    Category.SUSPICIOUS_BEHAVIOUR: "#0072B2",
    Category.SUSPICIOUS_VEHICLE: "#9467BD",
    Category.DOOR_TO_DOOR: "#C17A00",
    Category.SCAM: "#CF1C90",
    Category.VANDALISM: "#8C564B",
    Category.FIRE: "#D55E00",
    Category.WEATHER: "#008695",
    Category.ROADS: "#6F7A00",
    Category.MISSING: "#2CA02C",
    Category.OTHER: "#7F7F7F",
}


def category_series() -> list[Series]:
    return [
        Series(key=category.value, label=str(category.label).capitalize(), colour=COLOURS[category])
        for category in Category
    ]
