"""The app's pages, in navigation order: each is one module of this package with a `render(context)`.

This list is the one definition of the pages: the entry builds the navigation from it and the
tests import it. A page's URL path is its module's name (`/flow` is `views/flow.py`; `/class` is
`views/classroom.py`).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from i18n import marked


@dataclass(frozen=True)
class PageSpec:
    url_path: str  # also the name of its module in this package, unless `module_name` says
    title: str  # English, marked for the catalogs; the navigation shows it translated
    module_name: str | None = None  # for a path that is no module name (`class` is a keyword)

    @property
    def module_stem(self) -> str:
        """The name of the page's module in this package."""
        return self.module_name or self.url_path

    @property
    def module(self) -> ModuleType:
        """The page's module, whose render(context) draws it; imported the first time it is shown,
        so a fresh server sends the first page's pad before the other pages' imports."""
        return importlib.import_module(f"views.{self.module_stem}")

    @property
    def script(self) -> str:
        """The page's file, relative to the entry (what AppTest's switch_page takes)."""
        return f"views/{self.module_stem}.py"


PAGES = (
    PageSpec("draw", marked("Draw")),
    PageSpec("flow", marked("Follow the flow")),
    PageSpec("inside", marked("Inside the model")),
    PageSpec("drawings", marked("Your drawings")),
    PageSpec("train", marked("Train")),
    PageSpec("class", marked("Class"), module_name="classroom"),
)
DEFAULT = PAGES[0]
