"""Errors whose message a person reads: an English template and its values, kept apart so the app
can show the message in the reader's language (the command line prints the English)."""

from __future__ import annotations


class Explained(Exception):
    """An error with a message template (English, `{name}` fields) and the values to fill in."""

    def __init__(self, template: str, **values):
        self.template = template
        self.values = values
        super().__init__(template.format(**values) if values else template)

    def __reduce__(self):  # pickled (Streamlit's caches) with its template, not just the English text
        return _rebuild, (type(self), self.template, self.values)


def _rebuild(kind: type, template: str, values: dict) -> Explained:
    return kind(template, **values)
