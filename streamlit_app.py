"""Draw a digit, and watch a neural network trained on MNIST read it.

    streamlit run streamlit_app.py

The entry: the page config, the language, the navigation built from `views.PAGES`, what every
page works with (`ui.context.start()`), then the open page, given that context.
"""

import streamlit as st

from i18n import choose_language, tr_marked
from ui import context, widgets
from views import DEFAULT, PAGES


def main() -> None:
    st.set_page_config(page_title="Draw a digit · MNIST MLP", page_icon="✏️", layout="wide")
    choose_language()
    found = None  # this rerun's context; the pages read it when the open one runs, below

    def page(spec) -> st.Page:
        def show() -> None:
            spec.module.render(found)

        show.__name__ = spec.url_path  # Streamlit names a page after its function
        return st.Page(show, title=tr_marked(spec.title), url_path=spec.url_path, default=spec is DEFAULT)

    pages = {spec.url_path: page(spec) for spec in PAGES}
    current = st.navigation(list(pages.values()), position="top")
    widgets.page_assets()
    found = context.start(pages)
    current.run()
    context.freeze_loaded_modules()


main()
