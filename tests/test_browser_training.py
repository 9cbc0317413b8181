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
    reload,
    visitor_of,
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


def test_only_the_visitor_who_started_a_run_can_cancel_it_in_any_tab_and_after_a_reload(own_app, pages):
    from playwright.sync_api import expect

    from model.runs import cancel_run, list_runs

    trainer = pages.open(own_app.url, height=1600, path="train", ready="text=Start training")
    trainer.get_by_role("slider").first.focus()
    trainer.keyboard.press("End")  # 20 epochs: it trains for longer than this test takes
    wait_idle(trainer)
    trainer.get_by_role("button", name="Start training").click()
    expect(trainer.get_by_text("Epoch 1 of 20")).to_be_visible(timeout=60_000)
    run = list_runs(own_app.runs_dir)[0]
    try:
        assert run.active and run.owner == visitor_of(trainer) and run.id not in trainer.url
        reload(trainer, ready="text=Start training")
        expect(trainer.get_by_role("button", name="Cancel training")).to_be_visible(timeout=30_000)
        second_tab = pages.open(
            own_app.url, height=1600, path="train", ready="text=Start training", context=trainer.context
        )
        expect(second_tab.get_by_role("button", name="Cancel training")).to_be_visible(timeout=30_000)

        for path in ("train", f"train?run={run.id}"):  # another visitor, with or without a link
            other = pages.open(own_app.url, height=1600, path=path, ready="text=Start training")
            expect(other.get_by_text("Another visitor's run is training")).to_be_visible(timeout=30_000)
            expect(other.get_by_role("button", name="Cancel training")).to_have_count(0)
            expect(other.get_by_text("No runs of yours yet")).to_be_visible()
            assert visitor_of(other) != run.owner
        trainer.context.close()  # the starter goes away: still nobody else's to cancel
        other.wait_for_timeout(2_000)
        expect(other.get_by_role("button", name="Cancel training")).to_have_count(0)
        assert next(r for r in list_runs(own_app.runs_dir) if r.id == run.id).active
    finally:
        cancel_run(run, by=run.owner)  # its process would otherwise outlive the test's server


def test_runs_are_named_by_the_time_on_the_visitors_clock(own_app, pages):
    from playwright.sync_api import expect

    from model.constants import DEFAULT_BUNDLE_DIR
    from tests.run_folders import finished_run

    page = pages.open(
        own_app.url, height=1600, path="train", ready="text=Start training", timezone_id="Asia/Seoul"
    )
    finished_run(own_app.runs_dir, DEFAULT_BUNDLE_DIR, "20261125-090000-cccc", owner=visitor_of(page))
    reload(page, ready="text=Start training")
    compared = page.locator('[data-testid="stMultiSelect"]')
    expect(compared).to_contain_text("2026-11-25 18:00 · 2 epochs")  # 09:00 UTC is 18:00 in Seoul
    expect(compared).not_to_contain_text("UTC")


def test_runs_can_be_chosen_compared_and_deleted(own_app, pages):
    from playwright.sync_api import expect

    from model.constants import DEFAULT_BUNDLE_DIR
    from model.runs import list_runs
    from tests.run_folders import finished_run

    page = pages.open(own_app.url, height=2400, path="train", ready="text=Start training")
    me = visitor_of(page)
    older = finished_run(own_app.runs_dir, DEFAULT_BUNDLE_DIR, "20261125-090000-aaaa", owner=me)
    newer = finished_run(own_app.runs_dir, DEFAULT_BUNDLE_DIR, "20261125-093000-bbbb", owner=me)
    reload(page, ready="text=Start training")
    compared = page.locator('[data-testid="stMultiSelect"]')
    expect(compared).to_contain_text("09:30 UTC")
    expect(compared).not_to_contain_text("09:00 UTC")
    page.get_by_text("Details of a run").click()
    run_picker = page.locator('[data-testid="stSelectbox"]').filter(has=page.get_by_text("Run", exact=True))
    choose_option(page, run_picker, "2026-11-25 09:00 UTC · 2 epochs, batch 32 (done)")
    page.get_by_role("button", name="Use it for my drawings").click()
    expect(compared).to_contain_text("09:00 UTC")  # the chosen run joins the comparison

    drawing_tab = pages.open(own_app.url, context=page.context)  # the same visitor, another tab
    choose_option(
        drawing_tab,
        drawing_tab.locator('[data-testid="stSelectbox"]').filter(has_text="Model answering your drawings"),
        "your run 2026-11-25 09:00 UTC · 2 epochs, batch 32",
    )
    page.get_by_role("button", name="Delete this run").click()
    expect(page.get_by_text("answering drawings in another open tab")).to_be_visible(timeout=30_000)
    assert older.name in [run.id for run in list_runs(own_app.runs_dir)]
    choose_option(
        drawing_tab,
        drawing_tab.locator('[data-testid="stSelectbox"]').filter(has_text="Model answering your drawings"),
        "the model that comes with the app",
    )
    page.get_by_role("button", name="Delete this run").click()
    expect(compared).not_to_contain_text("09:00 UTC")
    assert compared.inner_text().count("09:30 UTC") == 1
    assert older.name not in [run.id for run in list_runs(own_app.runs_dir)]
    open_page(page, "Draw")
    expect(page.get_by_text("Answering with the model that comes with the app")).to_be_visible()
    draw(page, SEVEN)
    assert metric_value(page) == "7"
    shutil.rmtree(newer)
