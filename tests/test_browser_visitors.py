"""Two browsers on one server (headless Chromium): each keeps its own drawings, a copied link hands
over nothing, and a picture the pad never sent (a crafted client) is refused with a message."""

import base64
import io

import numpy as np
from PIL import Image

from tests.browser import ONE, SEVEN, draw, metric_value, open_page, reload, visitor_of


def save_as_drawn(page, digit: str) -> None:
    from playwright.sync_api import expect

    page.get_by_role("button", name=f"✓ Yes, it is a {digit}").click()
    expect(page.get_by_text(f"as a {digit}. See “Your drawings”")).to_be_visible(timeout=30_000)


def test_two_browsers_see_only_their_own_drawings_also_with_a_copied_link_and_after_a_reload(own_app, pages):
    from playwright.sync_api import expect

    from model.feedback import FeedbackStore

    alice = pages.open(own_app.url)
    draw(alice, SEVEN)
    save_as_drawn(alice, "7")
    open_page(alice, "Your drawings")
    expect(alice.get_by_text("Drawings saved")).to_be_visible()
    link = alice.url  # what Alice would send to Bob

    bob = pages.open(own_app.url, path=link.removeprefix(own_app.url + "/"), ready="text=Your drawings")
    expect(bob.get_by_text("No drawings saved yet")).to_be_visible(timeout=30_000)
    expect(bob.get_by_role("button", name="Download as .npz")).to_have_count(0)
    open_page(bob, "Draw")
    draw(bob, ONE)
    save_as_drawn(bob, "1")

    open_page(bob, "Train")  # Bob trains on his own drawing only
    expect(bob.get_by_text("Add your 1 saved drawings")).to_be_visible()
    open_page(bob, "Your drawings")
    expect(bob.get_by_text("a 7 (✓)")).to_have_count(0)

    reload(alice, ready="text=Drawings saved")  # a reload keeps Alice's drawings hers
    expect(alice.get_by_text("a 7 (✓)")).to_be_visible()
    expect(alice.get_by_text("a 1 (✓)")).to_have_count(0)
    mine = FeedbackStore(own_app.feedback_db, owner=visitor_of(alice)).drawings()
    theirs = FeedbackStore(own_app.feedback_db, owner=visitor_of(bob)).drawings()
    assert [d.label for d in mine] == [7] and [d.label for d in theirs] == [1]


def sixteen_bit_png_url() -> str:
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((280, 280), dtype=np.uint16)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


CRAFTED = {
    "16-bit PNG": sixteen_bit_png_url(),
    "no ;base64,": "data:image/png,not-base64",
    "a huge picture": None,  # made in the page: 13000x13000 pixels, a few hundred kB as PNG
}
SEND_JS = """
(crafted) => {
  window.__realToDataURL = window.__realToDataURL || HTMLCanvasElement.prototype.toDataURL;
  if (crafted === null) {
    const made = document.createElement('canvas');
    made.width = 13000;
    made.height = 13000;
    crafted = window.__realToDataURL.call(made, 'image/png');
  }
  HTMLCanvasElement.prototype.toDataURL = function () { return crafted; };
}
"""


def test_a_picture_the_pad_never_sends_is_refused_with_a_message_and_drawing_goes_on(own_app, pages):
    from playwright.sync_api import expect

    page = pages.open(own_app.url)
    for name, data_url in CRAFTED.items():
        page.evaluate(SEND_JS, data_url)  # a crafted client: what the pad sends is replaced
        draw(page, ONE)
        expect(page.get_by_text("The pad sent a picture this app cannot read")).to_be_visible(), name
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        assert metric_value(page) == "–", name
    page.evaluate("() => { HTMLCanvasElement.prototype.toDataURL = window.__realToDataURL; }")
    draw(page, SEVEN)
    assert metric_value(page) == "7"
    expect(page.get_by_text("The pad sent a picture this app cannot read")).to_have_count(0)


def test_a_drawing_on_a_high_density_screen_is_the_pads_size_and_is_answered(app, pages):
    page = pages.open(app.url, device_scale_factor=3, width=390, height=844)  # a phone
    draw(page, SEVEN)
    assert metric_value(page) == "7"
