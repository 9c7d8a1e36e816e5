"""Errors a rule raises: a code and the values a message needs, put into words at the edge.

Services never write sentences for people: the view or CLI command that called them turns the
code into a message in the interface language (so no English text reaches the Chinese pages).
"""

from __future__ import annotations


class RuleError(ValueError):
    """A rule said no: `code` names which rule, `values` carry what a message needs."""

    def __init__(self, code: str, **values: object) -> None:
        super().__init__(code, values)
        self.code = code
        self.values = values

    def __str__(self) -> str:
        details = ", ".join(f"{key}={value!r}" for key, value in self.values.items())
        return f"{self.code} ({details})" if details else self.code
