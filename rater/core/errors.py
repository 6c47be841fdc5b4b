"""Errors that carry what went wrong, where, and how to fix it.

Every room raises these for bad input; the CLI prints them and exits with status 1, the GUI shows
them in a dialog. Nothing else is changed when one is raised.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input: what, where (file, line, column or key) and how to fix it."""

    what: str
    where: str = ""
    fix: str = ""

    def __str__(self) -> str:
        text = f"{self.where}: {self.what}" if self.where else self.what
        return f"{text} (fix: {self.fix})" if self.fix else text


class RaterError(Exception):
    """Bad input or a refused action, described by one or more problems."""

    def __init__(self, problems: Problem | str | list[Problem]):
        if isinstance(problems, str):
            problems = [Problem(problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
