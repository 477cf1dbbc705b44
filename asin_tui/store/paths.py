"""Where asin-tui keeps its files. One place, so tests can redirect all of it (XDG_* env vars)."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP = "asin-tui"


def config_dir() -> Path:
    """$XDG_CONFIG_HOME/asin-tui on Linux: config.toml, progress/ (the cases) and cases/ (the
    case drafts)."""
    return platformdirs.user_config_path(APP, appauthor=False)


def config_file() -> Path:
    return config_dir() / "config.toml"


def cases_dir() -> Path:
    """Where the cases (the wizard's saved work) are kept: the folder keeps its first name,
    ``progress``, so files saved by earlier versions are found."""
    return config_dir() / "progress"


def case_file(profile: str, marketplace_id: str, folder: Path | None = None) -> Path:
    """The file of one profile's cases in one marketplace (``store.cases.CaseStore``'s, a
    SQLite file), in ``folder`` or :func:`cases_dir`."""
    return Path(folder or cases_dir()) / f"{profile}-{marketplace_id}.sqlite"


def legacy_case_file(profile: str, marketplace_id: str, folder: Path | None = None) -> Path:
    """Where asin-tui up to 2026-12 kept those cases (one TOML file), imported on first use."""
    return Path(folder or cases_dir()) / f"{profile}-{marketplace_id}.toml"


def has_cases(profile: str, marketplace_id: str) -> bool:
    """Whether the profile has a case file (or an earlier TOML one) in this marketplace: no
    file, no saved case — nothing to read, and nothing loaded to find that out."""
    return case_file(profile, marketplace_id).exists() or (
        legacy_case_file(profile, marketplace_id).exists()
    )


def case_drafts_dir() -> Path:
    """Where the Seller Support case drafts the wizard writes (Markdown) are kept."""
    return config_dir() / "cases"


def cache_dir() -> Path:
    """$XDG_CACHE_HOME/asin-tui: the SQLite listing cache and product type schemas."""
    return platformdirs.user_cache_path(APP, appauthor=False)


def data_dir() -> Path:
    """$XDG_DATA_HOME/asin-tui: the demo sandbox account's persisted state."""
    return platformdirs.user_data_path(APP, appauthor=False)
