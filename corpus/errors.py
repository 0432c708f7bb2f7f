"""Errors raised by the corpus readers."""
from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """An input file that cannot be read (undecodable bytes, unusable structure …).

    `str(error)` is ``path[:line]: message`` so it can be shown to a user as is.
    """

    def __init__(self, path: str | Path | None, message: str, line: int | None = None) -> None:
        self.path = str(path) if path is not None else "<input>"
        self.message = message
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        location = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{location}: {self.message}"
