"""The project's house rules, checked: model/ knows nothing of Streamlit, pages never import each
other, and the server side of the app never loads TensorFlow (answers are NumPy)."""

import ast
import subprocess
import sys
from pathlib import Path

import views

ROOT = Path(__file__).resolve().parents[1]


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names |= {f"{node.module}.{alias.name}" for alias in node.names}
    return names


def test_the_model_package_never_imports_streamlit_or_the_ui():
    for path in sorted((ROOT / "model").glob("*.py")):
        found = {
            name for name in imported_modules(path) if name.split(".")[0] in ("streamlit", "ui", "views")
        }
        assert not found, f"{path.name} imports {found}"


def test_pages_never_import_each_other():
    pages = {f"views.{spec.module_stem}" for spec in views.PAGES}
    for spec in views.PAGES:
        path = ROOT / spec.script
        found = {name for name in imported_modules(path) if name in pages or name == "views"}
        assert not found, f"{spec.script} imports {found}"


def test_every_page_module_is_in_the_one_list_of_pages():
    modules = {path.stem for path in (ROOT / "views").glob("*.py") if path.stem != "__init__"}
    assert modules == {spec.module_stem for spec in views.PAGES}


def test_the_server_side_never_imports_tensorflow_or_keras():
    """Importing every page and the UI, and loading the committed model, loads neither."""
    code = (
        "import sys\n"
        "import views, ui.context, ui.widgets, ui.charts, i18n\n"
        "from model.inference import Classifier\n"
        "from model import data, feedback, flow, history, insight, preprocess, runs, upload\n"
        "Classifier.load()\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'jax')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]", result.stdout[:500]
