"""The one place the version lives (the add-on's manifest is generated from it)."""

__version__ = "0.1.0"
PROTOCOL_VERSION = 1
