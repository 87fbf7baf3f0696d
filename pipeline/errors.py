"""Errors told in one line: for the runs table, a failure's reason and the command line."""

from __future__ import annotations


def first_line(error: BaseException, limit: int | None = None) -> str:
    """The first line of the error's message, cut to `limit` characters; its type if it has none."""
    lines = str(error).strip().splitlines()
    return lines[0][:limit] if lines else type(error).__name__


def one_line(error: BaseException, limit: int = 500) -> str:
    """The error's type and the first line of its message, cut to `limit` characters."""
    name = type(error).__name__
    return f"{name}: {first_line(error, limit)}" if str(error).strip() else name
