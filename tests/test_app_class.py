"""The Class page without a browser (AppTest): start a class, join it, the board, and who sees it."""

import numpy as np
import pytest

from model.classes import ClassStore
from model.constants import NOT_A_DIGIT
from tests.apptest import VISITOR, all_text, count_images, open_page, run_app
from ui.visitor import owner_id

PUPIL_SECRET = "u" * 43  # another browser's cookie
PUPIL = owner_id(PUPIL_SECRET)


def start_class(monkeypatch, bundle, db):
    """A teacher's app showing the board of a class it just started; returns (app, code, secret)."""
    app = run_app(monkeypatch, bundle, db, page="Class")
    app.button(key="start_class").click().run()
    assert not app.exception, app.exception
    code, secret = app.query_params["board"], app.query_params["key"]
    return app, code, secret


def test_starting_a_class_shows_its_code_link_qr_code_and_board(monkeypatch, trained_bundle, tmp_path):
    db = tmp_path / "f.sqlite"
    app, code, secret = start_class(monkeypatch, trained_bundle, db)
    assert ClassStore(db).is_teacher(code, secret)
    text = all_text(app)
    assert f"Class {code}" in text and f"/class?join={code}" in text
    assert count_images(app._tree) >= 1, "the join link's QR code"
    assert "No drawings yet" in text


def test_a_pupil_joins_by_code_and_their_saved_drawing_shows_on_the_board(
    monkeypatch, trained_bundle, tmp_path
):
    db = tmp_path / "f.sqlite"
    teacher, code, _ = start_class(monkeypatch, trained_bundle, db)
    pupil = run_app(monkeypatch, trained_bundle, db, page="Class", secret=PUPIL_SECRET)
    pupil.text_input(key="class_code_typed").input(code.lower())
    pupil.text_input(key="class_nickname_typed").input("Mina")
    pupil.button(key="join_class_go").click().run()
    assert not pupil.exception, pupil.exception
    assert f"Class {code}" in all_text(pupil)  # on the Draw page now, with its class shown
    member = ClassStore(db).membership(PUPIL)
    assert member.code == code and member.nickname == "Mina"

    # What the Draw page does when the pupil saves a drawing (the pad needs a browser).
    ClassStore(db).add(code, PUPIL, "Mina", np.zeros((28, 28)), 7, 1, [0.1] * 10, "m")
    ClassStore(db).add(code, PUPIL, "Mina", np.zeros((28, 28)), NOT_A_DIGIT, 0, [0.1] * 10, "m")
    teacher.run()
    text = all_text(teacher)
    assert {m.label: m.value for m in teacher.metric}["Drawings"] == "2"
    assert "Mina: a 7, read as a 1 ✗" in text and "The model's misreads" in [
        h.value for h in teacher.subheader
    ]
    teacher.toggle(key="board_hide_names").set_value(True).run()
    assert "Mina" not in all_text(teacher)


def test_without_the_teachers_secret_there_is_no_board(monkeypatch, trained_bundle, tmp_path):
    db = tmp_path / "f.sqlite"
    _, code, secret = start_class(monkeypatch, trained_bundle, db)
    pupil = run_app(monkeypatch, trained_bundle, db, secret=PUPIL_SECRET)
    pupil.query_params.update({"board": code, "key": secret[:-2] + "xx"})
    open_page(pupil, "Class")
    text = all_text(pupil)
    assert "not valid" in text and f"Class {code}" not in text and count_images(pupil._tree) == 0
    assert "Start a class" in [b.label for b in pupil.button]


def test_ending_the_class_asks_first_then_removes_its_drawings(monkeypatch, trained_bundle, tmp_path):
    db = tmp_path / "f.sqlite"
    app, code, _ = start_class(monkeypatch, trained_bundle, db)
    ClassStore(db).add(code, VISITOR, "", np.zeros((28, 28)), 3, 3, [0.1] * 10, "m")
    app.button(key="end_class").click().run()
    assert ClassStore(db).exists(code) and "End class" in all_text(app)
    app.button(key="end_class_confirmed").click().run()
    assert not app.exception, app.exception
    assert not ClassStore(db).exists(code) and ClassStore(db).drawings(code) == []
    assert f"Class {code} has ended." in [s.body for s in app.success]


@pytest.mark.slow
def test_the_class_trains_its_own_model_compares_it_and_switches_the_pupils_to_it(
    monkeypatch, trained_bundle, small_mnist_npz, small_mnist, tmp_path
):
    import time

    from model.constants import MNIST_ENV_VAR
    from model.runs import list_runs

    db, runs = tmp_path / "f.sqlite", tmp_path / "runs"
    monkeypatch.setenv(MNIST_ENV_VAR, str(small_mnist_npz))
    teacher = run_app(monkeypatch, trained_bundle, db, runs=runs, page="Class")
    teacher.button(key="start_class").click().run()
    code = teacher.query_params["board"]
    _, (x_test, y_test) = small_mnist
    store = ClassStore(db)
    for n in range(16):  # two pupils' drawings: the second pupil's are kept aside to test on
        owner = PUPIL if n % 2 else VISITOR
        store.add(
            code, owner, "", x_test[n] / 255.0, int(y_test[n]), int(y_test[n]), [0.1] * 10, "m", key=f"k{n}"
        )
    teacher.run()
    assert "keeps 8 drawings of other pupils aside" in all_text(teacher)
    teacher.slider(key="class_epochs").set_value(1)
    teacher.button(key="class_train").click().run()
    assert not teacher.exception, teacher.exception

    def comparison():  # the board also shows the confusion as a table
        return [t for t in teacher.get("table") if "kept-aside drawings" in str(t.proto)]

    deadline = time.monotonic() + 240
    while not comparison():
        assert time.monotonic() < deadline, all_text(teacher)
        time.sleep(2)
        teacher.run()
        assert not teacher.exception, teacher.exception
    (run,) = list_runs(runs)
    assert run.usable and run.settings.extra_repeat == 38  # 300 / 8 drawings, rounded up
    assert run.settings.init == str(trained_bundle / "model.keras")  # trained further, not afresh
    table = comparison()[0]
    assert "kept-aside drawings (8)" in str(table.proto) and "MNIST test digits" in str(table.proto)
    teacher.button(key="class_model_use").click().run()
    assert store.models(code)[0] == run.id

    pupil = run_app(monkeypatch, trained_bundle, db, runs=runs, secret=PUPIL_SECRET)
    assert "your class's model" not in all_text(pupil)  # not in the class yet
    store.join(PUPIL, code)
    pupil.run()
    assert "Answering with your class's model" in all_text(pupil)
