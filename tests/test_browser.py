"""End to end in a real browser: start the app, draw with the mouse in headless Chromium."""

import re
import shutil

import numpy as np
import pytest

from browser import (
    ANSWERED_JS,
    CURLED_NINE,
    ONE,
    SEVEN,
    SLASHED_ZERO,
    SMALL_EIGHT,
    ZERO,
    chromium_available,
    choose_option,
    draw,
    launch,
    metric_value,
    open_app,
    open_page,
    reset_canvas,
    streamlit_server,
    wait_idle,
    wait_settled,
)

pytestmark = pytest.mark.skipif(
    not chromium_available(), reason="needs Debian's chromium (apt-get install -y chromium)"
)


@pytest.fixture(scope="module")
def feedback_db(tmp_path_factory):
    return tmp_path_factory.mktemp("feedback") / "feedback.sqlite"


@pytest.fixture(scope="module")
def runs_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("runs")


@pytest.fixture(scope="module")
def app_url(feedback_db, runs_dir):
    env = {"DIGITS_FEEDBACK_DB": str(feedback_db), "DIGITS_RUNS": str(runs_dir)}
    with streamlit_server("streamlit_app.py", env=env) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


def bar_percentages(page) -> dict[int, float]:
    rows = page.locator(".prob-row")
    assert rows.count() == 10
    values = {}
    for index in range(10):
        row = rows.nth(index)
        values[int(row.get_attribute("data-digit"))] = float(row.inner_text().split()[-1].rstrip("%"))
    return values


@pytest.mark.parametrize(
    "strokes, digit",
    [(ONE, "1"), (ZERO, "0"), (SEVEN, "7"), (SLASHED_ZERO, "0"), (CURLED_NINE, "9"), (SMALL_EIGHT, "8")],
)
def test_drawn_digit_is_recognized_with_probability_bars(app_url, browser, strokes, digit):
    page = open_app(browser, app_url)
    assert metric_value(page) == "–"
    draw(page, strokes)
    assert metric_value(page) == digit
    bars = bar_percentages(page)
    assert list(bars) == list(range(10))
    assert max(bars, key=bars.get) == int(digit)
    assert sum(bars.values()) == pytest.approx(100, abs=0.6)  # rounded to 0.1% each
    assert page.get_by_text("What the model sees").is_visible()
    page.context.close()


@pytest.mark.parametrize("language, prediction", [("en", "Prediction"), ("ko", "예측")])
def test_on_a_phone_the_answer_is_in_view_after_a_stroke_and_the_summary_fits(app_url, browser, language, prediction):
    from playwright.sync_api import expect

    page = open_app(browser, app_url, width=390, height=844, path=f"?lang={language}")
    draw(page, SEVEN)
    answer = page.locator('[data-testid="stMetric"]', has_text=prediction).first.bounding_box()
    assert answer["y"] + answer["height"] <= 844, f"the answer ends at {answer['y'] + answer['height']:.0f}px"
    assert metric_value(page, prediction) == "7"
    summary = page.locator(".st-key-summary pre")
    summary.scroll_into_view_if_needed()
    expect(summary).to_contain_text("Param #")
    width, visible = summary.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert width <= visible  # the whole table, Param # column included, without scrolling sideways
    if language == "en":
        select = page.locator('[data-testid="stSelectbox"]').filter(has_text="No, it is a")
        assert select.inner_text().count("No, it is") == 1  # the label, not the placeholder as well
    page.context.close()


@pytest.mark.parametrize("delay_ms", [0, 50])
def test_strokes_started_in_the_top_right_corner_right_after_entering_the_pad_are_kept(app_url, browser, delay_ms):
    page = open_app(browser, app_url)
    box = page.locator("canvas.upper-canvas").bounding_box()
    for attempt, x in enumerate((250, 262, 240)):
        if attempt:
            reset_canvas(page)
        page.mouse.move(box["x"] + x, box["y"] - 40)  # above the pad, then straight into its corner
        page.mouse.move(box["x"] + x, box["y"] + 8)
        page.wait_for_timeout(delay_ms)
        page.mouse.down()
        page.mouse.move(box["x"] + x - 10, box["y"] + 140, steps=6)
        page.mouse.move(box["x"] + x - 20, box["y"] + 270, steps=6)
        page.mouse.up()
        try:
            page.wait_for_function(ANSWERED_JS, timeout=10_000, polling=50)
        except Exception:
            state = page.evaluate("""() => { const h = document.querySelector('[data-testid=stBidiComponentIsolated]');
              return [!!h.shadowRoot.querySelector('style[data-pad-fix]'), window.__mouseUps, window.__lastChange,
                      performance.now()]; }""")
            raise AssertionError(f"stroke {attempt + 1} was lost: the page never answered it {state}") from None
        assert metric_value(page) != "–", f"stroke {attempt + 1} was lost"
    page.context.close()


def test_the_pad_toolbar_never_covers_the_pad_or_the_navigation(app_url, browser):
    page = open_app(browser, app_url)
    pad = page.locator("canvas.upper-canvas").bounding_box()
    page.locator("canvas.upper-canvas").hover()
    page.wait_for_timeout(400)  # past the toolbar's hover animation
    reset = page.get_by_role("button", name="Reset canvas & history")
    assert reset.is_visible()
    toolbar = reset.bounding_box()
    assert toolbar["y"] >= pad["y"] + pad["height"]  # below the pad, not over it
    navigation = page.locator('[data-testid="stTopNavLink"]').first.bounding_box()
    assert toolbar["y"] > navigation["y"] + navigation["height"]
    page.context.close()


def test_a_scribble_is_said_to_look_like_no_digit(app_url, browser):
    from playwright.sync_api import expect

    page = open_app(browser, app_url)
    zigzag = [(50 + 180 * (row % 2), 40 + 10 * row) for row in range(21)]  # a filled block, back and forth
    draw(page, [zigzag])
    expect(page.get_by_text("Maybe not a digit")).to_be_visible()
    assert metric_value(page).endswith("?")
    reset_canvas(page)
    draw(page, SEVEN)
    assert metric_value(page) == "7"
    expect(page.get_by_text("Maybe not a digit")).to_have_count(0)
    page.context.close()


def test_reset_brings_back_the_hint(app_url, browser):
    page = open_app(browser, app_url)
    draw(page, ONE)
    assert metric_value(page) == "1"
    reset_canvas(page)
    assert metric_value(page) == "–"
    assert page.get_by_text("Draw a digit (0–9)").is_visible()
    assert page.locator(".prob-row").count() == 0
    page.context.close()


def test_sessions_keep_their_own_drawing(app_url, browser):
    first, second = open_app(browser, app_url), open_app(browser, app_url)
    draw(first, ONE)
    draw(second, ZERO)
    assert metric_value(first) == "1" and metric_value(second) == "0"
    first.reload()
    first.wait_for_selector("canvas.upper-canvas")
    assert metric_value(second) == "0"
    first.context.close()
    second.context.close()


def test_page_shows_summary_and_curves(app_url, browser):
    from playwright.sync_api import expect

    page = open_app(browser, app_url)
    expect(page.get_by_text("Total params: 669,706")).to_be_visible()
    expect(page.locator('[data-testid="stVegaLiteChart"]').filter(visible=True)).to_have_count(2)
    page.context.close()


def test_inside_view_shows_heatmap_and_gallery_and_the_pad_is_one_click_away(app_url, browser):
    from playwright.sync_api import expect

    page = open_app(browser, app_url)
    open_page(page, "Inside the model")

    page.get_by_text("How it does on the 10,000 MNIST test digits").wait_for()
    charts = page.locator('[data-testid="stVegaLiteChart"]').filter(visible=True)
    expect(charts).to_have_count(2)  # the confusion heatmap and per-digit accuracy
    expect(page.get_by_text("misclassified test digits match")).to_be_visible()
    expect(page.locator('[data-testid="stImage"]').filter(visible=True)).to_have_count(2)  # weights, templates
    expect(page.locator(".thumbnails img").nth(7)).to_be_visible()  # the misclassified digits
    open_page(page, "Draw")
    draw(page, SEVEN)
    assert metric_value(page) == "7"
    page.context.close()


PAGES = {  # name in the navigation -> (URL path, text its content shows)
    "Draw": ("", "Draw a digit"),
    "Follow the flow": ("flow", "Follow the flow"),
    "Inside the model": ("inside", "How it does on the 10,000 MNIST test digits"),
    "Your drawings": ("drawings", "Your drawings"),
    "Train": ("train", "Train the network yourself"),
}


def heading(page, text):
    return page.locator("h1, h2, h3").filter(has_text=text).first


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_has_its_own_url_and_survives_a_reload(app_url, browser, name):
    from playwright.sync_api import expect

    path, text = PAGES[name]
    page = open_app(browser, app_url, path=path, ready="h1, h2")
    expect(heading(page, text)).to_be_visible()
    active = page.locator('[data-testid="stTopNavLink"][aria-current="page"]')
    expect(active).to_have_text(name)
    page.reload()
    expect(heading(page, text)).to_be_visible(timeout=30_000)
    assert page.url.rstrip("/") == f"{app_url}/{path}".rstrip("/")
    page.context.close()


def test_navigation_clicks_and_back_and_forward_move_between_pages(app_url, browser):
    from playwright.sync_api import expect

    page = open_app(browser, app_url)
    for name in ("Inside the model", "Train", "Your drawings"):
        open_page(page, name)
        path, text = PAGES[name]
        expect(heading(page, text)).to_be_visible()
        assert page.url == f"{app_url}/{path}"
    page.go_back()
    expect(heading(page, PAGES["Train"][1])).to_be_visible(timeout=30_000)
    page.go_back()
    expect(heading(page, PAGES["Inside the model"][1])).to_be_visible(timeout=30_000)
    page.go_forward()
    expect(heading(page, PAGES["Train"][1])).to_be_visible(timeout=30_000)
    assert page.url == f"{app_url}/train"
    page.context.close()


def test_the_brush_and_the_model_choice_survive_a_visit_to_another_page(app_url, browser):
    page = open_app(browser, app_url)
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
    page.context.close()


KOREAN_HEADINGS = {
    "Draw": "숫자를 그려 보세요",
    "Follow the flow": "흐름 따라가기",
    "Inside the model": "MNIST 테스트 숫자 10,000개에 대한 성능",
    "Your drawings": "내 그림",
    "Train": "직접 신경망 학습하기",
}


@pytest.mark.parametrize("language", ["en", "ko"])
@pytest.mark.parametrize("width, height", [(1280, 900), (390, 844)])
def test_every_page_fits_the_screen_and_the_navigation_works_on_a_phone(app_url, browser, width, height, language, tmp_path):
    import os
    from pathlib import Path

    from playwright.sync_api import expect

    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page = open_app(browser, app_url, width=width, height=height, path=f"?lang={language}")
    for name, (path, text) in PAGES.items():
        page.goto(f"{app_url}/{path}?lang={language}")
        expect(heading(page, text if language == "en" else KOREAN_HEADINGS[name])).to_be_visible(timeout=30_000)
        wait_idle(page)
        page.wait_for_timeout(500)  # charts and images finish their layout
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} is {overflow}px wider than the screen"
        page.screenshot(path=str(folder / f"{path or 'draw'}-{language}-{width}.png"), full_page=True)
    # From the last page back to Draw through the navigation, as a phone user would.
    if width < 640:  # a phone: the navigation bar folds into a menu
        page.locator('[data-testid="stExpandSidebarButton"]').click()
    page.get_by_role("link", name="Draw" if language == "en" else "그리기", exact=True).filter(visible=True).click()
    expect(heading(page, "Draw a digit" if language == "en" else "숫자를 그려 보세요")).to_be_visible(timeout=30_000)
    assert page.url.split("?")[0].rstrip("/") == app_url
    page.context.close()


def test_a_korean_link_answers_a_drawing_in_korean(app_url, browser):
    from playwright.sync_api import expect

    page = open_app(browser, app_url, path="?lang=ko")
    expect(heading(page, "숫자를 그려 보세요")).to_be_visible()
    expect(page.get_by_role("link", name="흐름 따라가기", exact=True).filter(visible=True)).to_be_visible()
    draw(page, SEVEN)
    assert metric_value(page, "예측") == "7"
    expect(page.get_by_text("확신도")).to_be_visible()
    expect(page.get_by_role("button", name="✓ 네, 7 맞아요")).to_be_visible()
    expect(page.get_by_text("모델이 보는 것")).to_be_visible()
    page.context.close()


def test_a_korean_browser_opens_in_korean_and_can_switch_to_english(app_url, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    page.goto(app_url)
    expect(heading(page, "숫자를 그려 보세요")).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.get_by_text("English", exact=True).click()
    expect(heading(page, "Draw a digit")).to_be_visible(timeout=30_000)
    page.get_by_role("link", name="Train", exact=True).click()
    expect(heading(page, "Train the network yourself")).to_be_visible(timeout=30_000)  # English holds
    context.close()


def test_flow_page_follows_a_drawing_through_every_step_and_learns_from_it(app_url, browser, tmp_path):
    from playwright.sync_api import expect

    page = open_app(browser, app_url, path="flow", height=1600)
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
    page.context.close()


def test_hidden_layers_follow_the_drawing(app_url, browser):
    page = open_app(browser, app_url)
    draw(page, ONE)
    page.get_by_text("Show the hidden layers for this drawing").click()
    page.get_by_text("Units of layer 2 that lift").wait_for()
    assert "lift “1”" in page.get_by_text("Units of layer 2 that lift").inner_text()
    reset_canvas(page)
    draw(page, SEVEN)
    assert "lift “7”" in page.get_by_text("Units of layer 2 that lift").inner_text()
    page.context.close()


def test_uploaded_photo_is_classified_and_bad_files_explained(app_url, browser, tmp_path):
    from playwright.sync_api import expect

    from test_upload import photo_of_seven

    photo = tmp_path / "seven.jpg"
    photo.write_bytes(photo_of_seven())
    page = open_app(browser, app_url)
    page.get_by_text("Or upload a photo of a handwritten digit").click()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(photo))
    expect(page.get_by_text("Prediction for the photo")).to_be_visible(timeout=30_000)
    assert metric_value(page, "Prediction for the photo") == "7"
    assert metric_value(page) == "–"  # the drawing pad is untouched
    page.screenshot(path=str(tmp_path / "upload.png"))
    text = tmp_path / "notes.png"
    text.write_bytes(b"this is not really a png")
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(text))
    expect(page.get_by_text("not an image")).to_be_visible(timeout=30_000)
    from PIL import Image

    for size in ((1, 1), (20000, 1)):
        tiny = tmp_path / f"tiny-{size[0]}.png"
        Image.new("L", size, 255).save(tiny)
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(tiny))
        expect(page.get_by_text("too small to hold a digit")).to_be_visible(timeout=30_000)
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)  # a message, never a traceback
    page.context.close()


def test_corrected_drawing_is_saved_and_shown_in_your_drawings(app_url, browser, feedback_db):
    from playwright.sync_api import expect

    from model.feedback import FeedbackStore

    page = open_app(browser, app_url)
    draw(page, SEVEN)
    assert metric_value(page) == "7"
    choose_option(page, page.locator('[data-testid="stSelectbox"]').filter(has_text="No, it is a"), "1")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("as a 1. See “Your drawings”")).to_be_visible(timeout=30_000)
    saved = FeedbackStore(feedback_db).drawings()
    assert saved[0].label == 1 and saved[0].predicted == 7
    assert FeedbackStore(feedback_db).canvas_png(saved[0].id).startswith(b"\x89PNG")
    open_page(page, "Your drawings")
    expect(page.get_by_text(f"#{saved[0].id}: a 1 (model said 7)")).to_be_visible()

    open_page(page, "Draw")
    reset_canvas(page)
    draw(page, ONE)
    assert metric_value(page) == "1"
    page.get_by_role("button", name="✓ Yes, it is a 1").click()
    expect(page.get_by_text("as a 1. See “Your drawings”")).to_be_visible(timeout=30_000)
    open_page(page, "Your drawings")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as .npz").click()
    with np.load(download.value.path(), allow_pickle=False) as data:
        everything = np.concatenate([data["y_train"], data["y_test"]])
        assert data["x_train"].dtype == np.uint8 and data["x_train"].shape[1:] == (28, 28)
    assert sorted(everything.tolist()) == sorted(d.label for d in FeedbackStore(feedback_db).drawings())
    page.context.close()


def test_a_drawing_is_saved_once_however_often_it_is_confirmed(app_url, browser, feedback_db):
    from playwright.sync_api import expect

    from model.feedback import FeedbackStore

    before = len(FeedbackStore(feedback_db).drawings())
    page = open_app(browser, app_url)
    draw(page, [[(165, 50), (160, 235)]])  # a 1 no other test draws: a new drawing
    assert metric_value(page) == "1"
    page.get_by_role("button", name="✓ Yes, it is a 1").click()
    expect(page.get_by_text("as a 1. See “Your drawings”")).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="✓ Yes, it is a 1").click()
    expect(page.get_by_text("This drawing is already saved")).to_be_visible(timeout=30_000)
    assert len(FeedbackStore(feedback_db).drawings()) == before + 1
    choose_option(page, page.locator('[data-testid="stSelectbox"]').filter(has_text="No, it is a"), "7")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("is now saved as a 7 (it was a 1)")).to_be_visible(timeout=30_000)
    saved = FeedbackStore(feedback_db).drawings()
    assert len(saved) == before + 1 and saved[0].label == 7
    page.context.close()


def test_galleries_stay_grids_in_order_on_a_phone(app_url, browser):
    page = open_app(browser, app_url, width=390, height=844, path="inside", ready="h2")
    from playwright.sync_api import expect

    thumbs = page.locator(".thumbnails figure")
    expect(thumbs.nth(7)).to_be_visible(timeout=30_000)
    wait_idle(page)
    page.wait_for_timeout(500)  # images decoded: the layout has settled
    boxes = thumbs.evaluate_all("figures => figures.map(f => { const r = f.getBoundingClientRect(); return [r.x, r.y]; })")
    expect_count = len(boxes)
    assert expect_count >= 8
    assert boxes[0][1] == boxes[1][1] and boxes[1][0] > boxes[0][0]  # side by side, in order
    rows = {round(y) for _, y in boxes}
    assert len(rows) <= -(-expect_count // 3)  # at least three a row
    page.context.close()


def test_training_in_one_session_leaves_others_drawing_and_can_be_cancelled(
    app_url, browser, runs_dir, mnist_path, tmp_path
):
    from playwright.sync_api import expect

    from model.runs import list_runs

    other = open_app(browser, app_url)  # someone else, drawing on their own
    trainer = open_app(browser, app_url, height=1600, path="train", ready="text=Start training")
    trainer.get_by_role("button", name="Start training").click()
    expect(trainer.get_by_text("Epoch 1 of 5 · batch")).to_be_visible(timeout=60_000)
    trainer.screenshot(path=str(tmp_path / "training.png"))

    draw(other, ONE)  # answered while the model trains
    assert metric_value(other) == "1"
    (run,) = list_runs(runs_dir)
    assert run.state == "training"  # still training when the answer came

    trainer.get_by_role("button", name="Cancel training").click()
    expect(trainer.get_by_text("Run cancelled")).to_be_visible(timeout=30_000)
    (run,) = list_runs(runs_dir)
    assert run.state == "cancelled" and not run.bundle.exists()
    expect(trainer.get_by_role("button", name="Start training")).to_be_enabled()
    trainer.context.close()
    other.context.close()


def test_a_run_stays_cancellable_after_a_reload_and_after_its_tab_closes(app_url, browser, runs_dir):
    from playwright.sync_api import expect

    from model.runs import list_runs

    trainer = open_app(browser, app_url, height=1600, path="train", ready="text=Start training")
    trainer.get_by_role("slider").first.focus()
    trainer.keyboard.press("End")  # 20 epochs: it trains for longer than this test takes
    wait_idle(trainer)
    trainer.get_by_role("button", name="Start training").click()
    expect(trainer.get_by_text("Epoch 1 of 20")).to_be_visible(timeout=60_000)
    run = list_runs(runs_dir)[0]
    assert run.active and f"run={run.id}" in trainer.url
    trainer.reload()
    expect(trainer.get_by_role("button", name="Cancel training")).to_be_visible(timeout=30_000)

    other = open_app(browser, app_url, height=1600, path="train", ready="text=Start training")
    expect(other.get_by_text("Started in another browser session")).to_be_visible(timeout=30_000)
    expect(other.get_by_role("button", name="Cancel training")).to_have_count(0)
    trainer.context.close()  # the starter goes away: the run must not become uncancellable
    expect(other.get_by_text("has closed: anyone may cancel it")).to_be_visible(timeout=30_000)
    other.get_by_role("button", name="Cancel training").click()
    expect(other.get_by_text("Run cancelled")).to_be_visible(timeout=30_000)
    assert next(r for r in list_runs(runs_dir) if r.id == run.id).state == "cancelled"
    other.context.close()


def test_runs_can_be_chosen_compared_and_deleted(app_url, browser, runs_dir):
    from playwright.sync_api import expect

    from model.constants import DEFAULT_BUNDLE_DIR
    from model.runs import list_runs
    from run_folders import finished_run

    older = finished_run(runs_dir, DEFAULT_BUNDLE_DIR, "20261125-090000-aaaa")
    newer = finished_run(runs_dir, DEFAULT_BUNDLE_DIR, "20261125-093000-bbbb")
    page = open_app(browser, app_url, height=2400, path="train", ready="text=Start training")
    compared = page.locator('[data-testid="stMultiSelect"]')
    expect(compared).to_contain_text("09:30 UTC")
    expect(compared).not_to_contain_text("09:00 UTC")
    page.get_by_text("Details of a run").click()
    run_picker = page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text("Run", exact=True))
    choose_option(page, run_picker, "2026-11-25 09:00 UTC · 2 epochs, batch 32 (done)")
    page.get_by_role("button", name="Use it for my drawings").click()
    expect(compared).to_contain_text("09:00 UTC")  # the chosen run joins the comparison
    page.get_by_role("button", name="Delete this run").click()
    expect(compared).not_to_contain_text("09:00 UTC")
    assert compared.inner_text().count("09:30 UTC") == 1
    assert older.name not in [run.id for run in list_runs(runs_dir)]
    open_page(page, "Draw")
    expect(page.get_by_text("Answering with the committed model")).to_be_visible()
    draw(page, SEVEN)
    assert metric_value(page) == "7"
    shutil.rmtree(newer)
    page.context.close()
