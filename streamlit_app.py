"""Draw a digit, and watch a neural network trained on MNIST read it.

    streamlit run streamlit_app.py

The entry: the page config, the language, the navigation built from `views.PAGES`, what every
page works with (`ui.context.start()`), then the open page, given that context.
"""

import logging

import streamlit as st

from i18n import choose_language, language_ui, tr, tr_marked
from ui import context, widgets
from views import DEFAULT, PAGES


def main() -> None:
    # Visitors never see a traceback (it names the server's files); the log has it. Also set in
    # .streamlit/config.toml, which is read only when the app starts from this folder.
    st.set_option("client.showErrorDetails", "none")
    choose_language()  # first: the browser tab's title is in it too
    st.set_page_config(page_title=tr("Draw a digit") + " · MNIST MLP", page_icon="✏️", layout="wide")
    language_ui()
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


def server_log() -> None:
    """The app's problems, with the server-side details visitors never see, go to the terminal
    running `streamlit run` (once per process: the script runs again for every rerun)."""
    log = logging.getLogger("digits")
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s digits %(levelname)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False


server_log()
main()
