"""Errors whose message a person reads: an English template and its values, kept apart so the app
can show the message in the reader's language (the command line prints the English).

A template and its values say what happened in words any visitor of the app may read. What only
the person running the app needs (a file's path, an environment variable, a command to run, the
system's own error text) goes into `detail`: the command line prints it and the app writes it to
the server's log, never onto a page.
"""

from __future__ import annotations

import string


class Explained(Exception):
    """An error with a message template (English, `{name}` fields), the values to fill in, and the
    server-side `detail` (English, for the log and the command line; None if there is none)."""

    def __init__(self, template: str, *, detail: str | None = None, **values):
        self.template = template
        self.values = values
        self.detail = detail
        message = template.format(**values) if values else template
        super().__init__(f"{message} [{detail}]" if detail else message)

    def __reduce__(self):  # pickled (Streamlit's caches) with its template, not just the English text
        return _rebuild, (type(self), self.template, self.values, self.detail)


def _rebuild(kind: type, template: str, values: dict, detail: str | None = None) -> Explained:
    return kind(template, detail=detail, **values)


def fields(template: str) -> set[str]:
    """The `{names}` a template fills in; ValueError if it is not a valid template."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
