"""The graded dimensions of a scorecard: written down once, here, for config, transforms, cards and run summaries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark for extraction only"
    """Mark a message for the catalogue without translating it here."""
    return message


@dataclass(frozen=True)
class Dimension:
    """One graded dimension.

    `name` is its value column and the key config's bands, weights and feedback
    rules use; `label` (on cards) and `heading` (short, over a rollup's grade
    column) are gettext msgids, translated where they are shown.
    """

    name: str
    grade_column: str
    kind: Literal["percent", "count", "score"]
    label: str
    heading: str


#: The graded dimensions, in the order cards and rollups show them.
DIMENSIONS: tuple[Dimension, ...] = (
    Dimension("attainment", "attainment_grade", "percent", N_("Sales-target attainment"), N_("Attainment")),
    Dimension("conversion_rate", "conversion_grade", "percent", N_("Lead conversion"), N_("Conversion")),
    Dimension("new_customers", "new_customers_grade", "count", N_("New customers"), N_("New customers")),
    Dimension("satisfaction", "satisfaction_grade", "score", N_("Customer satisfaction"), N_("Satisfaction")),
    Dimension("skills_score", "skills_grade", "score", N_("Sales skills (manager rating)"), N_("Skills")),
)
#: The dimensions' names, in the same order.
DIMENSION_NAMES: tuple[str, ...] = tuple(d.name for d in DIMENSIONS)


def dimension(name: str) -> Dimension:
    """The graded dimension called `name` (KeyError when there is none)."""
    for candidate in DIMENSIONS:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
