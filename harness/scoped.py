"""``Scoped``: a thread, server, process or client that a ``with`` block starts and then
stops on every way out (an error, a return, Ctrl-C).

A subclass writes ``_leave()`` (stop, close; called by ``__exit__``) and, if entering
starts something, ``_enter()``; ``with obj as same_obj:`` returns the object itself.
"""

from __future__ import annotations

from types import TracebackType
from typing import Self


class Scoped:
    def _enter(self) -> None:
        """Called by ``__enter__``; nothing by default (usable as soon as it is built)."""

    def _leave(self) -> None:
        """Called by ``__exit__``, whatever ended the block."""
        raise NotImplementedError

    def __enter__(self) -> Self:
        self._enter()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._leave()
