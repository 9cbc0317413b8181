"""A class in real browsers: a teacher's board and two pupils, each in their own browser context."""

import os
import re
from pathlib import Path

import pytest

from tests.browser import ONE, SEVEN, choose_option, draw, metric_value, reset_canvas, wait_idle

BOARD_READY = ".class-code"


def start_class(pages, url, **size):
    """The teacher's page showing the board of a new class; returns (page, code)."""
    teacher = pages.open(url, path="class", ready="h1", **size)
    teacher.get_by_role("button", name="Start a class").click()
    teacher.wait_for_selector(BOARD_READY, timeout=60_000)
    code = re.search(r"Class (\w{4})", teacher.locator(BOARD_READY).inner_text()).group(1)
    return teacher, code


def test_pupils_join_by_link_and_their_drawings_reach_the_board_live(own_app, pages):
    from playwright.sync_api import expect

    teacher, code = start_class(pages, own_app.url)
    join = teacher.locator("code").filter(has_text=f"/class?join={code}").inner_text()
    assert join.startswith(
        own_app.url
    )  # the link the pupils' phones open: this server, as the browser sees it

    mina = pages.open(own_app.url, path=join[len(own_app.url) + 1 :])
    expect(mina.get_by_text(f"Class {code}")).to_be_visible()
    mina.get_by_label("Nickname (optional; no real name needed)").fill("Mina")
    mina.keyboard.press("Enter")
    wait_idle(mina)
    draw(mina, SEVEN)
    mina.get_by_role("button", name="✓ Yes, it is a 7").click()
    expect(mina.get_by_text("as a 7. See “Your drawings”")).to_be_visible(timeout=30_000)

    # The board shows it without a reload, within the board's refresh.
    expect(teacher.get_by_text("Mina: a 7 ✓")).to_be_visible(timeout=6_000)
    assert metric_value(teacher, "Drawings") == "1"

    # A pupil of another class never sees this class's drawings, nor its board.
    other_teacher, other_code = start_class(pages, own_app.url)
    jo = pages.open(own_app.url, path=f"class?join={other_code}")
    expect(jo.get_by_text(f"Class {other_code}")).to_be_visible()
    draw(jo, ONE)
    jo.get_by_role("button", name="✓ Yes, it is a 1").click()
    expect(jo.get_by_text("as a 1. See “Your drawings”")).to_be_visible(timeout=30_000)
    expect(other_teacher.get_by_text("a 1 ✓")).to_be_visible(timeout=6_000)
    assert metric_value(teacher, "Drawings") == "1" and teacher.get_by_text("a 1 ✓").count() == 0
    jo.goto(re.sub(r"key=[^&]+", "key=guess", teacher.url))  # the board's address, key guessed
    expect(jo.get_by_text("not valid any more")).to_be_visible(timeout=30_000)
    assert jo.locator(BOARD_READY).count() == 0

    # The teacher removes the drawing, then ends the class.
    teacher.get_by_text("Remove a drawing from the class").click()  # a switch
    picker = teacher.locator('[data-testid="stSelectbox"]').filter(has_text="Drawing")
    choose_option(teacher, picker, re.compile("Mina: a 7"))  # again if a rerun closes the list
    teacher.get_by_role("button", name=re.compile("^Remove #")).click()
    expect(teacher.get_by_text("No drawings yet")).to_be_visible(timeout=10_000)
    teacher.get_by_role("button", name="End the class…").click()
    teacher.get_by_role("button", name="Yes, end the class").click()
    expect(teacher.get_by_text(f"Class {code} has ended.")).to_be_visible(timeout=30_000)
    reset_canvas(mina)
    draw(mina, ONE)
    mina.get_by_role("button", name="✓ Yes, it is a 1").click()
    expect(mina.get_by_text(f"Class {code} has ended, so the drawing is saved as yours only.")).to_be_visible(
        timeout=30_000
    )
    expect(mina.get_by_text(f"Class {code}:")).to_have_count(0)  # no class above the pad any more


@pytest.mark.parametrize("language", ["en", "ko"])
def test_board_and_pupil_screenshots(own_app, pages, language, tmp_path):
    """The board at 1280x720 and 1920x1080 (projectors) and a pupil's page at 390 px."""
    from playwright.sync_api import expect

    folder = Path(os.environ.get("SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    teacher = pages.open(own_app.url, path=f"class?lang={language}", ready="h1", width=1280, height=720)
    teacher.get_by_role("button", name="Start a class" if language == "en" else "수업 시작하기").click()
    teacher.wait_for_selector(BOARD_READY, timeout=60_000)
    code = re.search(r"\b([A-Z0-9]{4})\b", teacher.locator(BOARD_READY).inner_text()).group(1)
    pupil = pages.open(own_app.url, path=f"class?join={code}&lang={language}", width=390, height=844)
    for strokes in (SEVEN, ONE):
        draw(pupil, strokes)
        answer = metric_value(pupil, "Prediction" if language == "en" else "예측")
        yes = "✓ Yes, it is a {}" if language == "en" else "✓ 네, {}입니다"
        pupil.get_by_role("button", name=yes.format(answer)).click()
        wait_idle(pupil)
        reset_canvas(pupil)
    pupil.screenshot(path=str(folder / f"class-pupil-{language}-390.png"))
    expect(teacher.locator(".thumbnails img")).to_have_count(2, timeout=30_000)  # the board's next refresh
    shown = teacher.locator(".thumbnails img").first.bounding_box()
    assert shown["width"] >= 130 and shown["height"] >= 130  # 140 px: seen from the back of a room
    teacher.screenshot(path=str(folder / f"class-board-{language}-1280x720.png"))
    teacher.set_viewport_size({"width": 1920, "height": 1080})
    teacher.wait_for_timeout(1_000)
    teacher.screenshot(path=str(folder / f"class-board-{language}-1920x1080.png"))
    overflow = teacher.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_the_teacher_switches_the_class_to_its_own_model_and_the_pupils_are_answered_by_it(own_app, pages):
    from playwright.sync_api import expect

    from model.classes import ClassStore
    from model.constants import DEFAULT_BUNDLE_DIR
    from tests.browser import visitor_of
    from tests.run_folders import finished_run

    teacher, code = start_class(pages, own_app.url)
    pupil = pages.open(own_app.url, path=f"class?join={code}")
    draw(pupil, SEVEN)
    expect(pupil.get_by_text("Answering with the model that comes with the app.", exact=True)).to_be_visible()

    # The class's drawings, and a finished run trained on them as "Train on our drawings" leaves it.
    store = ClassStore(own_app.feedback_db)
    for n in range(12):
        image = [[0.0] * 28 for _ in range(28)]
        store.add(code, f"pupil-{n % 4}", "", image, n % 10, n % 10, [0.1] * 10, "m", key=f"k{n}")
    run_id = "20261202-090000-cccc"
    run = finished_run(own_app.runs_dir, DEFAULT_BUNDLE_DIR, run_id, owner=visitor_of(teacher))
    store.train_candidate(code, run.name)
    teacher.reload()
    use = teacher.get_by_role("button", name="Use the new model for the whole class")
    expect(use).to_be_visible(timeout=60_000)  # under the side-by-side comparison
    expect(teacher.get_by_text("kept-aside drawings (3)")).to_be_visible()
    use.click()
    expect(teacher.get_by_text("Your class is answered by its own model")).to_be_visible(timeout=30_000)

    pupil.reload()
    pupil.wait_for_selector("canvas.upper-canvas", timeout=60_000)
    wait_idle(pupil)
    expect(pupil.get_by_text("Answering with your class's model, trained on its drawings")).to_be_visible(
        timeout=30_000
    )
