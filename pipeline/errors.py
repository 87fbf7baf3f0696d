"""Errors told in one line: for the runs table, a failure's reason and the command line."""

from __future__ import annotations


def one_line(error: BaseException, limit: int = 500) -> str:
    """The error's type and the first line of its message, cut to `limit` characters."""
    lines = str(error).strip().splitlines()
    name = type(error).__name__
    return f"{name}: {lines[0][:limit]}" if lines else name
