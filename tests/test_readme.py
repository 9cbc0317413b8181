"""The README's commands are what a new user needs, and CI runs its test command as written."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    return README.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def commands(text: str) -> list[str]:
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [
        line.split("#")[0].strip()
        for block in blocks
        for line in block.splitlines()
        if line.split("#")[0].strip()
    ]


def test_run_it_shows_the_two_commands_first_then_the_manual_steps_in_order():
    steps = commands(section("Run it"))
    assert steps[:2] == ["bash scripts/start.sh", "bash scripts/test.sh"]
    for script in ("start.sh", "test.sh"):
        assert (ROOT / "scripts" / script).is_file()
    test_script = (ROOT / "scripts" / "test.sh").read_text()
    assert "exec " + commands(section("Test"))[-1] + ' "$@"' in test_script  # the README's test command
    assert "streamlit run streamlit_app.py" in (ROOT / "scripts" / "start.sh").read_text()
    assert "2.7 GB" in section("Run it")
    steps = steps[2:]
    assert steps[:4] == [
        "python3.11 -m venv .venv",
        "source .venv/bin/activate",
        "pip install -r requirements.txt",
        "streamlit run streamlit_app.py",
    ]
    assert "Python 3.11" in section("Run it")


def test_the_test_section_installs_what_the_tests_need_before_running_them():
    steps = commands(section("Test"))
    assert "pip install -r requirements-dev.txt" in steps
    assert any("apt-get install" in step and "chromium" in step for step in steps)
    assert steps[-1] == "python -m pytest -q"
    assert steps.index("pip install -r requirements-dev.txt") < len(steps) - 1


def test_ci_runs_the_readmes_test_command_exactly():
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert commands(section("Test"))[-1] in ci


def test_the_readme_sends_no_one_to_paths_that_exist_only_here():
    assert "../shared" not in README and "path/to/mnist.npz" in README


def test_the_committed_bundle_was_trained_with_the_readmes_command():
    import json
    import shlex

    from model.train import parse_args

    (command,) = [c for c in commands(section("Train")) if "--augment" in c]
    args = parse_args(shlex.split(command)[3:])  # after "python -m model.train"
    history = json.loads((ROOT / "model" / "artifacts" / "history.json").read_text(encoding="utf-8"))
    settings = history["settings"]
    names = ("epochs", "batch_size", "seed", "augment", "lr_decay", "weight_decay")
    for name in (*names, "outliers", "written", "real"):
        assert settings[name] == getattr(args, name), name
    assert settings["learning_rate"] == args.learning_rate and settings["init"] is None
    assert history["data_source"] == "mnist.npz"
