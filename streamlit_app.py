"""Draw a digit, and watch a neural network trained on MNIST read it.

    streamlit run streamlit_app.py

The entry: the page config, what every page shares (`ui.prepare`), and the navigation. Each page
is one script in `views/`; only the open one runs.
"""

import streamlit as st

import ui

st.set_page_config(page_title="Draw a digit · MNIST MLP", page_icon="✏️", layout="wide")
pages = [
    st.Page("views/draw.py", title="Draw", url_path="draw", default=True),
    st.Page("views/flow.py", title="Follow the flow", url_path="flow"),
    st.Page("views/inside.py", title="Inside the model", url_path="inside"),
    st.Page("views/drawings.py", title="Your drawings", url_path="drawings"),
    st.Page("views/train.py", title="Train", url_path="train"),
]
page = st.navigation(pages, position="top")
ui.prepare()
page.run()
