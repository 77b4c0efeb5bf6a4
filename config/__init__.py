"""Business rules as data: the scorecards config file and its typed model."""

from scorecards.config.dimensions import DIMENSION_NAMES, DIMENSIONS, Dimension, dimension
from scorecards.config.settings import (
    ConfigError,
    Settings,
    config_hash,
    load_settings,
)

__all__ = [
    "DIMENSION_NAMES",
    "DIMENSIONS",
    "ConfigError",
    "Dimension",
    "Settings",
    "config_hash",
    "dimension",
    "load_settings",
]
