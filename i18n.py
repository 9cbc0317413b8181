"""The app's words in English and Korean.

Every string the app writes is an English message in the code, looked up with `tr()` in the
catalog of the session's language (`locales/<lang>.json`, message -> text); `{name}` fields are
filled in after the lookup, so numbers are formatted the same way in both languages. Errors from
`model/` carry their English template and values (`model.errors.Explained`) for the same lookup.
"""

from __future__ import annotations

import functools
import json
import logging
from pathlib import Path

import streamlit as st

from model.errors import Explained

LANGUAGES = {"en": "English", "ko": "한국어"}
DEFAULT = "en"
CATALOGS = Path(__file__).resolve().parent / "locales"
SESSION_KEY = "language"  # the session's language code
LOG = logging.getLogger("digits")  # the server's log: what only the person running the app needs


@functools.cache
def catalog(language: str) -> dict[str, str]:
    return json.loads((CATALOGS / f"{language}.json").read_text(encoding="utf-8"))


def language() -> str:
    return st.session_state.get(SESSION_KEY, DEFAULT)


def tr(message: str, **values) -> str:
    """`message` in the session's language, with `values` filled into its {fields}."""
    text = catalog(language()).get(message, message)
    return text.format(**values) if values else text


def marked(message: str) -> str:
    """Marks a message written away from where it is shown (a page title in `views.PAGES`), so that
    the catalog test finds it; returns it unchanged. Show it with `tr_marked`."""
    return message


def tr_marked(message: str) -> str:
    """`tr` for a message that was `marked()` where it was written."""
    return tr(message)


def tr_error(error: Exception) -> str:
    """An exception's message for a visitor, in the session's language. Model errors carry their
    template and values; their detail (paths, commands, the system's words) goes to the server's
    log, as does any other exception, whose own text may say anything about the server."""
    if isinstance(error, Explained):
        if error.detail:
            log_once(str(error))
        return tr(error.template, **error.values)
    log_once(f"{type(error).__name__}: {error}")
    return tr("Something went wrong here; the person running the app finds the details in its log.")


@functools.lru_cache(maxsize=256)
def log_once(message: str) -> None:
    """Write a problem to the server's log once per process (pages redraw it on every rerun)."""
    LOG.warning(message)


def choose_language() -> None:
    """Settle the session's language: ?lang= in the URL, else the session's earlier choice, else the
    browser's language. Draw the choice with `language_ui()`."""
    asked = st.query_params.get("lang")
    if asked in LANGUAGES and asked != st.session_state.get("_lang_from_url"):
        st.session_state[SESSION_KEY] = asked  # a shared link: that language, once per new link
        st.session_state["_lang_from_url"] = asked
    if SESSION_KEY not in st.session_state:
        locale = (st.context.locale or "").lower()
        st.session_state[SESSION_KEY] = "ko" if locale.startswith("ko") else DEFAULT
    chosen = st.session_state[SESSION_KEY]
    if st.query_params.get("lang") != chosen:  # the navigation's links drop it: a reload or a copied
        st.query_params["lang"] = chosen  # link of any page keeps the language
        st.session_state["_lang_from_url"] = chosen


def language_ui() -> None:
    """The language choice, at the top right of every page."""
    st.session_state["language_choice"] = st.session_state[SESSION_KEY]
    _, right = st.container(key="language").columns([5, 1.2])  # page.css: beside the title
    right.segmented_control(
        "Language / 언어",
        list(LANGUAGES),
        format_func=LANGUAGES.get,
        key="language_choice",
        on_change=_chosen,
        label_visibility="collapsed",
    )


def _chosen() -> None:
    chosen = st.session_state.get("language_choice") or st.session_state.get(SESSION_KEY, DEFAULT)
    st.session_state[SESSION_KEY] = chosen
    st.query_params["lang"] = chosen
    st.session_state["_lang_from_url"] = chosen
