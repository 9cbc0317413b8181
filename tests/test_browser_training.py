"""Training from the Train page in a real browser: in the background, cancelled, chosen, deleted."""

import shutil

import pytest

from tests.browser import (
    ONE,
    SEVEN,
    choose_option,
    draw,
    metric_value,
    open_page,
    wait_idle,
)

pytestmark = pytest.mark.slow  # each trains the network in a background process


def test_training_in_one_session_leaves_others_drawing_and_can_be_cancelled(
    own_app, pages, mnist_path, tmp_path
):
    from playwright.sync_api import expect

    from model.runs import list_runs

    other = pages.open(own_app.url)  # someone else, drawing on their own
    trainer = pages.open(own_app.url, height=1600, path="train", ready="text=Start training")
    trainer.get_by_role("button", name="Start training").click()
    expect(trainer.get_by_text("Epoch 1 of 5 · batch")).to_be_visible(timeout=60_000)
    trainer.screenshot(path=str(tmp_path / "training.png"))

    draw(other, ONE)  # answered while the model trains
    assert metric_value(other) == "1"
    (run,) = list_runs(own_app.runs_dir)
    assert run.state == "training"  # still training when the answer came

    trainer.get_by_role("button", name="Cancel training").click()
    expect(trainer.get_by_text("Run cancelled")).to_be_visible(timeout=30_000)
    (run,) = list_runs(own_app.runs_dir)
    assert run.state == "cancelled" and not run.bundle.exists()
    expect(trainer.get_by_role("button", name="Start training")).to_be_enabled()


def test_a_run_stays_cancellable_after_a_reload_and_after_its_tab_closes(own_app, pages):
    from playwright.sync_api import expect

    from model.runs import list_runs

    trainer = pages.open(own_app.url, height=1600, path="train", ready="text=Start training")
    trainer.get_by_role("slider").first.focus()
    trainer.keyboard.press("End")  # 20 epochs: it trains for longer than this test takes
    wait_idle(trainer)
    trainer.get_by_role("button", name="Start training").click()
    expect(trainer.get_by_text("Epoch 1 of 20")).to_be_visible(timeout=60_000)
    run = list_runs(own_app.runs_dir)[0]
    assert run.active and f"run={run.id}" in trainer.url
    trainer.reload()
    expect(trainer.get_by_role("button", name="Cancel training")).to_be_visible(timeout=30_000)

    other = pages.open(own_app.url, height=1600, path="train", ready="text=Start training")
    expect(other.get_by_text("Started in another browser session")).to_be_visible(timeout=30_000)
    expect(other.get_by_role("button", name="Cancel training")).to_have_count(0)
    trainer.context.close()  # the starter goes away: the run must not become uncancellable
    expect(other.get_by_text("has closed: anyone may cancel it")).to_be_visible(timeout=30_000)
    other.get_by_role("button", name="Cancel training").click()
    expect(other.get_by_text("Run cancelled")).to_be_visible(timeout=30_000)
    assert next(r for r in list_runs(own_app.runs_dir) if r.id == run.id).state == "cancelled"


def test_runs_can_be_chosen_compared_and_deleted(own_app, pages):
    from playwright.sync_api import expect

    from model.constants import DEFAULT_BUNDLE_DIR
    from model.runs import list_runs
    from tests.run_folders import finished_run

    older = finished_run(own_app.runs_dir, DEFAULT_BUNDLE_DIR, "20261125-090000-aaaa")
    newer = finished_run(own_app.runs_dir, DEFAULT_BUNDLE_DIR, "20261125-093000-bbbb")
    page = pages.open(own_app.url, height=2400, path="train", ready="text=Start training")
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
    assert older.name not in [run.id for run in list_runs(own_app.runs_dir)]
    open_page(page, "Draw")
    expect(page.get_by_text("Answering with the committed model")).to_be_visible()
    draw(page, SEVEN)
    assert metric_value(page) == "7"
    shutil.rmtree(newer)
