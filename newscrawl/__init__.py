"""newscrawl: The Jakarta Post's world section as a clean, incremental JSON Lines dataset."""

__version__ = "0.1.0"
