"""asin-tui: find every Amazon listing that is not live, learn why, get it back on sale."""

__version__ = "0.1.0"
