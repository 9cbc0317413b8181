"""Saving drawings in a real browser: confirmed or corrected, saved once, shown on Your drawings."""

import numpy as np

from tests.browser import (
    ONE,
    SEVEN,
    choose_option,
    download,
    draw,
    metric_value,
    open_page,
    reset_canvas,
    visitor_of,
)


def test_corrected_drawing_is_saved_and_shown_in_your_drawings(own_app, pages):
    from playwright.sync_api import expect

    from model.feedback import FeedbackStore

    page = pages.open(own_app.url)
    draw(page, SEVEN)
    assert metric_value(page) == "7"
    choose_option(page, page.locator('[data-testid="stSelectbox"]').filter(has_text="No, it is a"), "1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("as a 1. See “Your drawings”")).to_be_visible(timeout=30_000)
    saved = FeedbackStore(own_app.feedback_db, owner=visitor_of(page)).drawings()
    assert saved[0].label == 1 and saved[0].predicted == 7
    assert (
        FeedbackStore(own_app.feedback_db, owner=visitor_of(page))
        .canvas_png(saved[0].id)
        .startswith(b"\x89PNG")
    )
    open_page(page, "Your drawings")
    expect(page.get_by_text(f"#{saved[0].id}: a 1 (the app said a 7)")).to_be_visible()

    open_page(page, "Draw")
    reset_canvas(page)
    draw(page, ONE)
    assert metric_value(page) == "1"
    page.get_by_role("button", name="✓ Yes, it is a 1").click()
    expect(page.get_by_text("as a 1. See “Your drawings”")).to_be_visible(timeout=30_000)
    open_page(page, "Your drawings")
    with np.load(download(page, "Download as .npz"), allow_pickle=False) as data:
        everything = np.concatenate([data["y_train"], data["y_test"]])
        assert data["x_train"].dtype == np.uint8 and data["x_train"].shape[1:] == (28, 28)
    assert sorted(everything.tolist()) == sorted(
        d.label for d in FeedbackStore(own_app.feedback_db, owner=visitor_of(page)).drawings()
    )


def test_a_drawing_is_saved_once_however_often_it_is_confirmed(own_app, pages):
    from playwright.sync_api import expect

    from model.feedback import FeedbackStore

    page = pages.open(own_app.url)
    before = len(FeedbackStore(own_app.feedback_db, owner=visitor_of(page)).drawings())
    draw(page, [[(165, 50), (160, 235)]])  # a 1 no other test draws: a new drawing
    assert metric_value(page) == "1"
    page.get_by_role("button", name="✓ Yes, it is a 1").click()
    expect(page.get_by_text("as a 1. See “Your drawings”")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="✓ Yes, it is a 1").click()
    expect(page.get_by_text("This drawing is already saved")).to_be_visible(timeout=30_000)
    assert len(FeedbackStore(own_app.feedback_db, owner=visitor_of(page)).drawings()) == before + 1
    choose_option(page, page.locator('[data-testid="stSelectbox"]').filter(has_text="No, it is a"), "7")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("is now saved as a 7 (it was a 1)")).to_be_visible(timeout=30_000)
    saved = FeedbackStore(own_app.feedback_db, owner=visitor_of(page)).drawings()
    assert len(saved) == before + 1 and saved[0].label == 7


def test_not_a_digit_is_saved_shown_and_left_out_of_the_download(own_app, pages):
    from playwright.sync_api import expect

    from model.constants import NOT_A_DIGIT
    from model.feedback import FeedbackStore

    page = pages.open(own_app.url)
    blot = [(60 + 160 * (row % 2), 50 + 9 * row) for row in range(21)]  # back and forth: a filled block
    draw(page, [blot])
    assert metric_value(page) == "Not a digit"
    page.get_by_role("button", name="✓ Right, it is not a digit").click()
    expect(page.get_by_text("as “not a digit”. See “Your drawings”")).to_be_visible(timeout=30_000)
    reset_canvas(page)
    draw(page, [[(150, 45), (152, 240)]])  # a 1, which the visitor says is no digit
    assert metric_value(page) == "1"
    page.get_by_role("button", name="✗ It is not a digit").click()
    expect(page.get_by_text("as “not a digit”. See “Your drawings”")).to_be_visible(timeout=30_000)
    reset_canvas(page)
    draw(page, SEVEN)
    page.get_by_role("button", name="✓ Yes, it is a 7").click()
    expect(page.get_by_text("as a 7. See “Your drawings”")).to_be_visible(timeout=30_000)
    reset_canvas(page)
    draw(page, ONE)
    page.get_by_role("button", name="✓ Yes, it is a 1").click()
    expect(page.get_by_text("as a 1. See “Your drawings”")).to_be_visible(timeout=30_000)
    saved = FeedbackStore(own_app.feedback_db, owner=visitor_of(page)).drawings()
    assert [(d.label, d.predicted) for d in saved] == [
        (1, 1),
        (7, 7),
        (NOT_A_DIGIT, 1),
        (NOT_A_DIGIT, NOT_A_DIGIT),
    ]

    open_page(page, "Your drawings")
    expect(page.get_by_text("“not a digit” (the app said a 1)")).to_be_visible()
    expect(page.get_by_text("the 2 marked “not a digit” are left out")).to_be_visible()
    with np.load(download(page, "Download as .npz"), allow_pickle=False) as data:
        assert sorted(np.concatenate([data["y_train"], data["y_test"]]).tolist()) == [
            d.label for d in sorted(saved, key=lambda d: d.label) if d.is_digit
        ]


def test_the_confusion_table_fits_a_phone(own_app, pages):
    from playwright.sync_api import expect

    from model.feedback import FeedbackStore

    page = pages.open(own_app.url, width=390, height=844)
    store = FeedbackStore(own_app.feedback_db, owner=visitor_of(page))
    for label, answered in [(7, 7), (7, 1), (10, 0)]:
        store.add(np.zeros((28, 28)), label, answered, [0.1] * 10, "m", None)
    page.goto(f"{own_app.url}/drawings")
    table = page.locator(".st-key-confusion")
    expect(table.locator("tr")).to_have_count(12, timeout=60_000)  # a header and 11 rows
    table.scroll_into_view_if_needed()
    width, visible = table.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert width <= visible  # all of it, without scrolling sideways
