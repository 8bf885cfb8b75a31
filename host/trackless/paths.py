"""Where Trackless keeps its files (platformdirs), each overridable by env.

=====================  ==========================  ===========================
what                   default (platformdirs)      override
=====================  ==========================  ===========================
settings + allowlist   user_config_dir/trackless   ``TRACKLESS_CONFIG_DIR``
caches                 user_cache_dir/trackless    ``TRACKLESS_CACHE_DIR``
learned ids            user_data_dir/trackless     ``TRACKLESS_DATA_DIR``
host log               user_log_dir/trackless      ``TRACKLESS_LOG_DIR``
=====================  ==========================  ===========================

The overrides exist for tests and portable set-ups (e.g. a profile on a USB
stick). Directories are not created here: the writer creates what it writes.
Every function takes the environment as a mapping so tests need no monkeypatching.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

__all__ = ["APP", "config_dir", "cache_dir", "log_dir", "data_dir", "settings_path", "learned_path", "ENV_CONFIG",
           "ENV_CACHE", "ENV_LOG", "ENV_DATA"]

APP = "trackless"
ENV_CONFIG, ENV_CACHE, ENV_LOG = "TRACKLESS_CONFIG_DIR", "TRACKLESS_CACHE_DIR", "TRACKLESS_LOG_DIR"
SETTINGS_FILE = "settings.json"
ENV_DATA = "TRACKLESS_DATA_DIR"
LEARNED_FILE = "learned.json"


def _pick(env: Mapping[str, str] | None, name: str, default) -> Path:
    env = os.environ if env is None else env
    value = env.get(name, "").strip()
    if value:
        return Path(value).expanduser().absolute()
    return Path(default())


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    import platformdirs

    return _pick(env, ENV_CONFIG, lambda: platformdirs.user_config_dir(APP, appauthor=False))


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    import platformdirs

    return _pick(env, ENV_CACHE, lambda: platformdirs.user_cache_dir(APP, appauthor=False))


def log_dir(env: Mapping[str, str] | None = None) -> Path:
    import platformdirs

    return _pick(env, ENV_LOG, lambda: platformdirs.user_log_dir(APP, appauthor=False))


def settings_path(env: Mapping[str, str] | None = None) -> Path:
    """The one settings file shared by the host and the CLI."""
    return config_dir(env) / SETTINGS_FILE


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    import platformdirs

    return _pick(env, ENV_DATA, lambda: platformdirs.user_data_dir(APP, appauthor=False))


def learned_path(env: Mapping[str, str] | None = None) -> Path:
    """The helper's store of ids learned from the reader's mail (issue 17)."""
    return data_dir(env) / LEARNED_FILE


def special_file(path: str) -> bool:
    """Is ``path`` an existing file that is not a regular file (``/dev/null``, a
    FIFO, a terminal)? Output to such a file is written straight into it:
    the atomic temp-file-and-rename would replace the device itself."""
    import stat

    try:
        return not stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return False
