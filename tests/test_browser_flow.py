"""The Follow the flow page in a real browser: a drawing through every step, and a training step."""

import re

from tests.browser import (
    SEVEN,
    bar_percentages,
    choose_option,
    draw,
    metric_value,
    open_page,
)


def test_flow_page_follows_a_drawing_through_every_step_and_learns_from_it(app, pages, tmp_path):
    from playwright.sync_api import expect

    page = pages.open(app.url, path="flow", height=1600)
    draw(page, SEVEN)
    expect(page.get_by_text("Following your drawing on this pad")).to_be_visible()
    for number in range(1, 10):
        expect(page.locator("h3").filter(has_text=f"{number}. ")).to_have_count(1)
    expect(page.get_by_text("The pad (280×280), with the ink's box in red.")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^\d+ of 512$"))).to_have_count(2)  # active units, both hidden layers
    rows = page.locator('[data-testid="stTable"]').first.locator("tbody tr")
    expect(rows).to_have_count(10)
    table = {}
    for index in range(10):
        digit, logit, _, probability = rows.nth(index).locator("td, th").all_inner_texts()[-4:]
        table[int(digit)] = (float(logit), float(probability.rstrip("%")))
    bars = bar_percentages(page)
    assert all(abs(table[d][1] - bars[d]) <= 0.06 for d in range(10))  # the table agrees with the bars
    predicted = max(bars, key=bars.get)
    assert predicted == 7 and max(table, key=lambda d: table[d][0]) == 7  # the largest logit wins
    right = float(metric_value(page, "Loss for this drawing"))

    choose_option(page, page.locator('[data-testid="stSelectbox"]').filter(has_text="The true digit"), "1")
    expect(page.get_by_role("button", name="Take one training step on this drawing (as a 1)")).to_be_visible()
    wrong = float(metric_value(page, "Loss for this drawing"))
    assert wrong > right  # calling the 7 a 1 costs more
    page.screenshot(path=str(tmp_path / "flow.png"))

    page.get_by_role("button", name="Take one training step on this drawing (as a 1)").click()
    expect(page.get_by_text("After 1 step")).to_be_visible(timeout=30_000)
    assert float(metric_value(page, "Loss on this drawing")) < wrong
    page.get_by_role("button", name="Take one training step on this drawing (as a 1)").click()
    expect(page.get_by_text("After 2 steps")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Reset", exact=True).click()
    expect(page.get_by_text("No step taken yet")).to_be_visible(timeout=30_000)
    open_page(page, "Draw")  # the Draw page still answers with the trained model
    draw(page, SEVEN)
    assert metric_value(page) == "7"


def test_a_pixel_tapped_on_a_touch_screen_says_its_value(app, pages):
    from playwright.sync_api import expect

    page = pages.open(app.url, path="flow", width=390, height=844, has_touch=True, is_mobile=True)
    draw(page, SEVEN)
    chart = page.locator('[data-testid="stVegaLiteChart"]').first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] * 0.55, box["y"] + box["height"] * 0.5)  # a cell mid-grid
    expect(page.get_by_text(re.compile(r"^Row \d+, column \d+$"))).to_be_visible(timeout=30_000)
