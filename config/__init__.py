"""Business rules as data: the scorecards config file and its typed model."""

from scorecards.config.settings import (
    DIMENSIONS,
    ConfigError,
    Settings,
    config_hash,
    load_settings,
)

__all__ = ["DIMENSIONS", "ConfigError", "Settings", "config_hash", "load_settings"]
