"""The app's pages, in navigation order: each is one module of this package with a `render(context)`.

This list is the one definition of the pages: the entry builds the navigation from it and the
tests import it. A page's URL path is its module's name (`/flow` is `views/flow.py`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from i18n import marked


@dataclass(frozen=True)
class PageSpec:
    url_path: str  # also the name of its module in this package
    title: str  # English, marked for the catalogs; the navigation shows it translated

    @property
    def module(self) -> ModuleType:
        """The page's module, whose render(context) draws it; imported the first time it is shown,
        so a fresh server sends the first page's pad before the other pages' imports."""
        return importlib.import_module(f"views.{self.url_path}")

    @property
    def script(self) -> str:
        """The page's file, relative to the entry (what AppTest's switch_page takes)."""
        return f"views/{self.url_path}.py"


PAGES = (
    PageSpec("draw", marked("Draw")),
    PageSpec("flow", marked("Follow the flow")),
    PageSpec("inside", marked("Inside the model")),
    PageSpec("drawings", marked("Your drawings")),
    PageSpec("train", marked("Train")),
)
DEFAULT = PAGES[0]
