"""Every string the app writes is in both catalogs, and the catalogs hold nothing the code lacks."""

import ast
import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
UI_FILES = [
    ROOT / "streamlit_app.py",
    ROOT / "i18n.py",
    *sorted((ROOT / "ui").glob("*.py")),
    *sorted((ROOT / "views").glob("*.py")),
]
MODEL_FILES = sorted((ROOT / "model").glob("*.py"))


def explained_kinds() -> set[str]:
    """model.errors.Explained and the classes in model/ made from it: their messages are translated."""
    kinds = {"Explained"}
    for path in MODEL_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                getattr(base, "id", "") == "Explained" for base in node.bases
            ):
                kinds.add(node.name)
    return kinds


def messages() -> dict[str, str]:
    """message -> where it is used: tr("...") and marked("...") in the UI, Explained templates in model/."""
    found, kinds = {}, explained_kinds()
    for path in UI_FILES + MODEL_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            in_ui = path in UI_FILES and name in ("tr", "marked")
            in_model = path in MODEL_FILES and name in kinds
            if not (in_ui or in_model) or not node.args:
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found[first.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
            elif in_ui and path.name != "i18n.py":  # where tr() is defined, it passes messages on
                raise AssertionError(f"{path.relative_to(ROOT)}:{node.lineno}: tr() needs a literal message")
    return found


def catalog(language: str) -> dict[str, str]:
    return json.loads((ROOT / "locales" / f"{language}.json").read_text(encoding="utf-8"))


def test_every_message_is_in_both_catalogs():
    used = messages()
    for language in ("en", "ko"):
        missing = sorted(set(used) - set(catalog(language)))
        assert not missing, f"missing from locales/{language}.json: " + "; ".join(
            f"{m!r} ({used[m]})" for m in missing
        )


def test_no_catalog_holds_a_message_no_code_uses():
    used = messages()
    for language in ("en", "ko"):
        unused = sorted(set(catalog(language)) - set(used))
        assert not unused, f"locales/{language}.json has unused messages: {unused}"


def test_translations_keep_every_field_of_their_message():
    fields = re.compile(r"{(\w*)}")
    for language in ("en", "ko"):
        for message, text in catalog(language).items():
            assert sorted(fields.findall(text)) == sorted(fields.findall(message)), (language, message)


def test_korean_is_korean():
    """Where a message has English words (outside `code` and {fields}), its Korean text has Hangul."""
    hangul = re.compile(r"[\uac00-\ud7a3]")
    words = re.compile(r"\b[A-Za-z]{3,}\b")
    untranslated = [
        message
        for message, text in catalog("ko").items()
        if words.search(re.sub(r"`[^`]*`|{\w*}", "", message)) and not hangul.search(text)
    ]
    assert untranslated == []
