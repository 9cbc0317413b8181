"""The pages in a real browser: their addresses, the navigation, choices kept, both languages, phones."""

import pytest

import views
from tests.browser import (
    SEVEN,
    draw,
    metric_value,
    open_page,
    wait_idle,
    wait_settled,
)


def test_page_shows_summary_and_curves(app, pages):
    from playwright.sync_api import expect

    page = pages.open(app.url)
    expect(page.get_by_text("Total params: 669,706").filter(visible=True)).to_be_visible()
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(0)  # drawn on request: the chart library would slow the pad
    page.get_by_text("Show the loss and accuracy per epoch").click()
    expect(charts.filter(visible=True)).to_have_count(2)
    # The plot itself is as tall as asked (260 px): a legend and titles once squeezed it to about 60.
    heights = page.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stVegaLiteChart]')]"
        ".map((chart) => chart.getBoundingClientRect().height)"
    )
    assert min(heights) > 260 + 80, heights  # plot, axis, title and legend
    expect(page.get_by_text("Why is validation better than training here?")).to_be_visible()  # augmented


def test_inside_view_shows_heatmap_and_gallery_and_the_pad_is_one_click_away(app, pages):
    from playwright.sync_api import expect

    page = pages.open(app.url)
    open_page(page, "Inside the model")

    page.get_by_text("How it does on the 10,000 MNIST test digits").wait_for()
    charts = page.locator('[data-testid="stVegaLiteChart"]').filter(visible=True)
    expect(charts).to_have_count(2)  # the confusion heatmap and the misses per digit
    expect(page.get_by_text("misclassified test digits match")).to_be_visible()
    expect(page.locator('[data-testid="stImage"]').filter(visible=True)).to_have_count(1)  # the weights
    expect(page.locator(".thumbnails").first.locator("img").nth(7)).to_be_visible()  # the misses
    expect(page.locator(".thumbnails").last.locator("img")).to_have_count(10)  # the output layer, 0-9
    open_page(page, "Draw")
    draw(page, SEVEN)
    assert metric_value(page) == "7"


HEADINGS = {  # name in the navigation -> a heading its content shows
    "Draw": "Draw a digit",
    "Follow the flow": "Follow the flow",
    "Inside the model": "How it does on the 10,000 MNIST test digits",
    "Your drawings": "Your drawings",
    "Train": "Train the network yourself",
    "Class": "Class",
}
# The app's own list of pages: name -> (URL path, heading); the default page is at "/".
PAGES = {
    spec.title: ("" if spec is views.DEFAULT else spec.url_path, HEADINGS[spec.title]) for spec in views.PAGES
}


def heading(page, text):
    return page.locator("h1, h2, h3").filter(has_text=text).first


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_has_its_own_url_and_survives_a_reload(app, pages, name):
    from playwright.sync_api import expect

    path, text = PAGES[name]
    page = pages.open(app.url, path=path, ready="h1, h2")
    expect(heading(page, text)).to_be_visible()
    active = page.locator('[data-testid="stTopNavLink"][aria-current="page"]')
    expect(active).to_have_text(name)
    page.reload()
    expect(heading(page, text)).to_be_visible(timeout=30_000)
    assert page.url == f"{app.url}/{path}?lang=en"  # the language joins the address


def test_navigation_clicks_and_back_and_forward_move_between_pages(app, pages):
    from playwright.sync_api import expect

    page = pages.open(app.url)
    for name in ("Inside the model", "Train", "Your drawings"):
        open_page(page, name)
        path, text = PAGES[name]
        expect(heading(page, text)).to_be_visible()
        assert page.url == f"{app.url}/{path}?lang=en"
    page.go_back()
    expect(heading(page, PAGES["Train"][1])).to_be_visible(timeout=30_000)
    page.go_back()
    expect(heading(page, PAGES["Inside the model"][1])).to_be_visible(timeout=30_000)
    page.go_forward()
    expect(heading(page, PAGES["Train"][1])).to_be_visible(timeout=30_000)
    assert page.url == f"{app.url}/train?lang=en"


def test_the_brush_and_the_model_choice_survive_a_visit_to_another_page(app, pages):
    page = pages.open(app.url)
    slider = page.get_by_role("slider", name="Brush width")
    slider.focus()
    clicked = page.evaluate("performance.now()")
    for _ in range(4):
        page.keyboard.press("ArrowRight")
    wait_settled(page, clicked)
    assert slider.input_value() == "22"
    open_page(page, "Inside the model")
    open_page(page, "Draw")
    assert page.get_by_role("slider", name="Brush width").input_value() == "22"
    draw(page, SEVEN)  # the wider brush draws, and is answered
    assert metric_value(page) == "7"


KOREAN_HEADINGS = {
    "Draw": "숫자를 그려 보세요",
    "Follow the flow": "흐름 따라가기",
    "Inside the model": "MNIST 테스트 숫자 10,000개에 대한 성능",
    "Your drawings": "내 그림",
    "Train": "직접 신경망 학습하기",
    "Class": "우리 반",
}


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_every_page_fits_the_screen_and_the_navigation_works_on_a_phone(
    app, pages, width, height, language, tmp_path
):
    import os
    from pathlib import Path

    from playwright.sync_api import expect

    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page = pages.open(app.url, width=width, height=height, path=f"?lang={language}")
    for name, (path, text) in PAGES.items():
        page.goto(f"{app.url}/{path}?lang={language}")
        expect(heading(page, text if language == "en" else KOREAN_HEADINGS[name])).to_be_visible(
            timeout=30_000
        )
        wait_idle(page)
        page.wait_for_timeout(500)  # charts and images finish their layout
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than the screen"
        page.screenshot(path=str(folder / f"{path or 'draw'}-{language}-{width}.png"), full_page=True)
    # From the last page back to Draw through the navigation, as a phone user would.
    if width < 640:  # a phone: the navigation bar folds into a menu
        page.locator('[data-testid="stExpandSidebarButton"]').click()
    page.get_by_role("link", name="Draw" if language == "en" else "그리기", exact=True).filter(
        visible=True
    ).click()
    expect(heading(page, "Draw a digit" if language == "en" else "숫자를 그려 보세요")).to_be_visible(
        timeout=30_000
    )
    assert page.url.split("?")[0].rstrip("/") == app.url


def test_a_korean_link_answers_a_drawing_in_korean(app, pages):
    from playwright.sync_api import expect

    page = pages.open(app.url, path="?lang=ko")
    expect(heading(page, "숫자를 그려 보세요")).to_be_visible()
    expect(page.get_by_role("link", name="흐름 따라가기", exact=True).filter(visible=True)).to_be_visible()
    draw(page, SEVEN)
    assert metric_value(page, "예측") == "7"
    expect(page.get_by_text("신뢰도")).to_be_visible()
    expect(page.get_by_role("button", name="✓ 네, 7입니다")).to_be_visible()
    expect(page.get_by_text("모델이 보는 것")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "ko"])
def test_on_a_projector_the_answer_is_the_largest_thing_and_pad_answer_and_bars_fit_one_screen(
    app, pages, language
):
    page = pages.open(app.url, width=1280, height=720, path=f"?lang={language}")
    draw(page, SEVEN)
    sizes = page.evaluate(
        """() => {
        const box = (element) => element.getBoundingClientRect();
        const value = document.querySelector('.st-key-answer [data-testid=stMetricValue]');
        return {
            pad: box(document.querySelector('[data-testid=stBidiComponentIsolated]')).bottom,
            bars: Math.max(...[...document.querySelectorAll('.prob-row')].map((row) => box(row).bottom)),
            rows: document.querySelectorAll('.prob-row').length,
            answer: parseFloat(getComputedStyle(value).fontSize),
            title: parseFloat(getComputedStyle(document.querySelector('h1')).fontSize),
            scrolled: window.scrollY,
        };
    }"""
    )
    assert sizes["rows"] == 10 and sizes["scrolled"] == 0
    assert sizes["pad"] <= 720 and sizes["bars"] <= 720, sizes  # no scrolling for any of it
    assert sizes["answer"] >= 64 and sizes["answer"] > 1.5 * sizes["title"], sizes


def test_a_drawing_and_its_answer_are_still_there_after_a_visit_to_another_page(app, pages):
    from playwright.sync_api import expect

    page = pages.open(app.url)
    draw(page, SEVEN)
    open_page(page, "Follow the flow")
    expect(page.get_by_text("Following your drawing from the Draw page.")).to_be_visible()
    open_page(page, "Draw")
    page.wait_for_timeout(1000)  # the pad has mounted and said what it holds
    wait_idle(page)
    assert metric_value(page) == "7"
    expect(page.get_by_text("Your last drawing, kept while you were on another page")).to_be_visible()


def test_the_language_stays_in_the_address_of_every_page_the_navigation_opens(app, pages):
    from playwright.sync_api import expect

    page = pages.open(app.url, path="?lang=ko")  # on an English browser
    page.get_by_role("link", name="학습", exact=True).filter(visible=True).click()
    expect(page.get_by_role("link", name="학습", exact=True).filter(visible=True)).to_have_attribute(
        "aria-current", "page", timeout=30_000
    )
    page.wait_for_url("**/train?lang=ko", timeout=30_000)  # the navigation's link drops it; it comes back
    page.reload()  # as a copied link would open
    expect(page.get_by_role("link", name="그리기", exact=True).filter(visible=True)).to_be_visible(
        timeout=60_000
    )
    assert "Train the network yourself" not in page.content()


def test_an_address_with_no_page_says_so_in_korean(app, pages):
    from playwright.sync_api import expect

    page = pages.open(app.url, path="nowhere?lang=ko", ready="h1")
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("페이지를 찾을 수 없습니다", timeout=30_000)  # Streamlit's own words
    assert "Page not found" not in dialog.inner_text()


def test_a_korean_browser_opens_in_korean_and_can_switch_to_english(app, pages):
    from playwright.sync_api import expect

    context = pages.context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.goto(app.url)
    expect(heading(page, "숫자를 그려 보세요")).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.get_by_text("English", exact=True).click()
    expect(heading(page, "Draw a digit")).to_be_visible(timeout=30_000)
    page.get_by_role("link", name="Train", exact=True).click()
    expect(heading(page, "Train the network yourself")).to_be_visible(timeout=30_000)  # English holds


def test_galleries_stay_grids_in_order_on_a_phone(app, pages):
    page = pages.open(app.url, width=390, height=844, path="inside", ready="h2")
    from playwright.sync_api import expect

    thumbs = page.locator(".thumbnails").first.locator("figure")  # the misses (the output layer's follow)
    expect(thumbs.nth(7)).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.wait_for_timeout(500)  # images decoded: the layout has settled
    boxes = thumbs.evaluate_all(
        "figures => figures.map(f => { const r = f.getBoundingClientRect(); return [r.x, r.y]; })"
    )
    expect_count = len(boxes)
    assert expect_count >= 8
    assert boxes[0][1] == boxes[1][1] and boxes[1][0] > boxes[0][0]  # side by side, in order
    rows = {round(y) for _, y in boxes}
    assert len(rows) <= -(-expect_count // 3)  # at least three a row
