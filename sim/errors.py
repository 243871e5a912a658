"""The one exception type a user sees: bad input, reported without a traceback."""

from __future__ import annotations


class InputError(Exception):
    """Bad user input: a message naming the file, the field (and line), what was expected and what was found.

    The command line prints ``error: <message>`` and exits with code 2 for this exception.
    """

    def __init__(self, message: str, *, path: str | None = None) -> None:
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)
