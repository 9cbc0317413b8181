"""Draw a digit, and watch a neural network trained on MNIST read it.

    streamlit run streamlit_app.py

The entry: the page config, the language, what every page shares (`ui.prepare`), and the
navigation. Each page is one script in `views/`; only the open one runs.
"""

import streamlit as st

import ui
from i18n import choose_language, tr

st.set_page_config(page_title="Draw a digit · MNIST MLP", page_icon="✏️", layout="wide")
choose_language()
pages = [
    st.Page("views/draw.py", title=tr("Draw"), url_path="draw", default=True),
    st.Page("views/flow.py", title=tr("Follow the flow"), url_path="flow"),
    st.Page("views/inside.py", title=tr("Inside the model"), url_path="inside"),
    st.Page("views/drawings.py", title=tr("Your drawings"), url_path="drawings"),
    st.Page("views/train.py", title=tr("Train"), url_path="train"),
]
page = st.navigation(pages, position="top")
ui.prepare()
page.run()
