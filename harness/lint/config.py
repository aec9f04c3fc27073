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
from typing import Annotated, Literal

import pydantic

from harness.durations import parse_seconds
from harness.errors import InputError
from harness.lint.checks import CHECKS
from harness.yamlsource import parse_document, read_text, unknown, validation_error

CONFIG_NAME = ".harness-lint.yml"


def _known_check(check: str) -> str:
    if check not in CHECKS:
        message, _ = unknown("check id", check, CHECKS)
        raise ValueError(f"{message} (see harness lint --list-checks)")
    return check


CheckId = Annotated[str, pydantic.AfterValidator(_known_check)]


class _ConfigFile(pydantic.BaseModel):
    """The file as written; unknown keys are refused with a did-you-mean."""

    model_config = pydantic.ConfigDict(extra="forbid")
    profile: Literal["correctness", "policy"] | None = None
    disable: list[CheckId] = []
    scrape_interval: str | None = None
    catalogue: str | None = None

    @pydantic.field_validator("scrape_interval", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if value is not None:
            parse_seconds(str(value))  # ValueError: the duration's own message
            return str(value)
        return value


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
    """The settings in ``path``; an empty file is the defaults. Problems: InputError at
    their line (exit 2)."""
    what = "lint configuration"
    data = parse_document(read_text(path, InputError, what), path)
    if data is None:
        return LintConfig(path=path)
    try:
        config = _ConfigFile.model_validate(data)
    except pydantic.ValidationError as exc:
        raise validation_error(exc, path, data, _ConfigFile) from None
    return LintConfig(
        path=path, profile=config.profile, disable=frozenset(config.disable),
        scrape_interval=config.scrape_interval,
        catalogue=(path.parent / config.catalogue) if config.catalogue else None,
    )
