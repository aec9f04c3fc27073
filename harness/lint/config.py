"""`.harness-lint.yml`: the lint's settings, kept with the rules they apply to.

    profile: correctness        # or policy: also the project's conventions (runbooks...)
    disable: [for-missing]      # check ids never reported
    scrape_interval: 30s        # range windows under 4x this are reported
    catalogue: metrics.yml      # metric families and their labels (relative to this file)

Found in the working directory or the nearest folder above it (as git finds its
repository); `harness lint --config FILE` names one. Command-line options win.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from harness.errors import InputError
from harness.lint.checks import CHECKS, PROFILES

CONFIG_NAME = ".harness-lint.yml"
_KEYS = ("profile", "disable", "scrape_interval", "catalogue")


@dataclass(frozen=True)
class LintConfig:
    path: Path | None = None
    profile: str | None = None
    disable: frozenset[str] = frozenset()
    scrape_interval: str | None = None
    catalogue: Path | None = None


def find_config(start: Path | None = None) -> Path | None:
    """The nearest `.harness-lint.yml` from ``start`` (the working directory) upward."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def load_config(path: Path) -> LintConfig:
    try:
        data: Any = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise InputError(f"cannot read the lint configuration: {exc.strerror}",
                         path=path) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(f"invalid YAML: {exc}", path=path,
                         line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict) or set(data) - set(_KEYS):
        raise InputError(f"the lint configuration is a mapping with keys {', '.join(_KEYS)}",
                         path=path)
    profile = data.get("profile")
    if profile is not None and profile not in PROFILES:
        raise InputError(f"profile: {profile!r} is not one of {', '.join(PROFILES)}", path=path)
    disable = data.get("disable") or []
    if not isinstance(disable, list):
        raise InputError("disable: expected a list of check ids", path=path)
    unknown = [str(c) for c in disable if str(c) not in CHECKS]
    if unknown:
        raise InputError(f"disable: unknown check id(s) {', '.join(unknown)} "
                         "(see harness lint --list-checks)", path=path)
    catalogue = data.get("catalogue")
    return LintConfig(
        path=path, profile=profile, disable=frozenset(map(str, disable)),
        scrape_interval=str(data["scrape_interval"]) if data.get("scrape_interval") else None,
        catalogue=(path.parent / str(catalogue)) if catalogue else None,
    )
