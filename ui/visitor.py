"""Who the visitor is: a secret their browser keeps in a cookie, known on the server as an owner id.

Every drawing and run is saved under its visitor's owner id, and the pages show, change and train
on that visitor's own things only. The secret is in no link and on no page, so a copied link
hands over nothing. On a first visit the server makes a secret and the page stores it in a cookie;
from then on every tab and reload of that browser sends it back with its first request. The owner
id on disk is a hash of the secret: reading the store or the runs folder does not give it away.
"""

from __future__ import annotations

import hashlib
import re
import secrets

import streamlit as st

from ui import state

COOKIE = "digits_visitor"
COOKIE_DAYS = 365  # a visitor's drawings and runs stay theirs for a year of visits
SECRET = re.compile(r"[A-Za-z0-9_-]{43}")  # what secrets.token_urlsafe(32) makes; anything else is ignored

# On a first visit: keep the secret in the browser. If another tab of the same browser stored one
# first (two tabs opened at once), reload once to become that visitor; nothing was saved yet.
KEEP_SECRET = """<script>(() => {
  const name = "%(cookie)s", secret = "%(secret)s";
  const found = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  const value = found ? found.slice(name.length + 1) : null;
  if (value === secret) return;
  if (value && /^[A-Za-z0-9_-]{43}$/.test(value)) {
    if (!sessionStorage.getItem(name + "-reloaded")) {
      sessionStorage.setItem(name + "-reloaded", "1");
      location.reload();
    }
    return;
  }
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `${name}=${secret}; path=/; max-age=%(age)d; SameSite=Lax${secure}`;
})();</script>"""


def owner_id(secret: str) -> str:
    """A visitor's secret -> the id their things are saved under (32 hex characters)."""
    return hashlib.sha256(f"digits-visitor:{secret}".encode()).hexdigest()[:32]


def visitor() -> str:
    """This browser's owner id; on its first visit, the page also stores its new secret."""
    secret = st.session_state.get(state.VISITOR_SECRET)
    if secret is None:
        sent = st.context.cookies.get(COOKIE)
        known = isinstance(sent, str) and SECRET.fullmatch(sent) is not None
        secret = sent if known else secrets.token_urlsafe(32)
        st.session_state[state.VISITOR_SECRET] = secret
        st.session_state[state.VISITOR_NEW] = not known
    if st.session_state.get(state.VISITOR_NEW):
        st.html(
            KEEP_SECRET % {"cookie": COOKIE, "secret": secret, "age": COOKIE_DAYS * 86400},
            unsafe_allow_javascript=True,
        )
    return owner_id(secret)
