"""The words for what `model/` returns as data: a run's name, its state, its progress, errors.

`model/` never writes display text; these functions turn its values into sentences in the
session's language (`i18n.tr`). The command line prints its own English.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import streamlit as st

from i18n import tr
from model.constants import NOT_A_DIGIT
from model.progress import Progress
from model.runs import Run

SMALLEST = 0.0001  # smaller numbers are said as "less than 0.0001"
SIGNIFICANT = 4  # digits a number keeps when no decimals are asked for


def plain_number(value: float, decimals: int | None = None) -> str:
    """A number as a 13-year-old reads it, never in e-notation: `decimals` places (else 4
    significant digits), thousands with commas, and "less than 0.0001" for a number too small to
    show (the truth, where 0.0000 would not be)."""
    value = float(value)
    if value == 0:
        return "0"
    if not math.isfinite(value):
        return str(value)
    if abs(value) < SMALLEST:
        if value > 0:
            return tr("less than {smallest}", smallest=f"{SMALLEST:.4f}")
        return tr("just under 0 (more than -{smallest})", smallest=f"{SMALLEST:.4f}")
    if decimals is None:
        decimals = max(0, SIGNIFICANT - 1 - math.floor(math.log10(abs(value))))
    return f"{value:,.{decimals}f}"


def label_text(label: int) -> str:
    """What a drawing is, as said after "saved as": "a 7", "an 8", or "not a digit"."""
    if label == NOT_A_DIGIT:
        return tr("“not a digit”")
    return tr("an {digit}", digit=label) if label == 8 else tr("a {digit}", digit=label)


def local_time(when: datetime) -> str:
    """A moment as the visitor's clock shows it (the browser's time zone), to the minute; with
    "UTC" where the browser's zone is UTC or unknown."""
    try:
        name = st.context.timezone
        zone = ZoneInfo(name) if name and name not in ("UTC", "Etc/UTC") else None
    except (ZoneInfoNotFoundError, ValueError, AttributeError, RuntimeError):
        zone = None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    if zone is None:
        return f"{when.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return f"{when.astimezone(zone):%Y-%m-%d %H:%M}"


def run_label(run: Run) -> str:
    """A run's short name for lists: when it started (on the visitor's clock), and its main settings."""
    if run.info is None:
        return tr("damaged run {id}", id=run.id)
    settings = run.settings
    parts = [
        tr("1 epoch") if settings.epochs == 1 else tr("{epochs} epochs", epochs=settings.epochs),
        tr("batch {size}", size=settings.batch_size),
    ]
    if settings.augment:
        parts.append(tr("augmented"))
    if settings.outliers:
        parts.append(tr("taught non-digits"))
    if settings.written:
        parts.append(tr("taught written digits"))
    if settings.limit:
        parts.append(tr("{images} images", images=f"{settings.limit:,}"))
    if settings.extra:
        parts.append(tr("+ your drawings"))
    return f"{local_time(run.info.created)} · {', '.join(parts)}"


def state_text(run: Run) -> str:
    """A run's state in words, the same wherever a run is shown."""
    if run.active:
        return tr("in progress")
    words = {
        "done": tr("done"),
        "failed": tr("failed"),
        "cancelled": tr("cancelled"),
        "interrupted": tr("interrupted"),
        "damaged": tr("damaged"),
    }
    return words.get(run.state, run.state)


def clock(seconds: float) -> str:
    """Seconds as m:ss."""
    seconds = int(round(seconds))
    return f"{seconds // 60}:{seconds % 60:02d}"


def progress_text(progress: Progress) -> str:
    """One line saying where a run is and how long is left."""
    if progress.phase == "retracing":
        done, total = progress.retraced
        text = tr(
            "Preparing the training images: digits drawn with a pen, {done} of {total}",
            done=f"{done:,}",
            total=f"{total:,}",
        )
        if progress.remaining is not None:
            text += " · " + tr("about {time} left before training", time=clock(progress.remaining))
        return text
    if progress.phase != "training":
        phases = {
            "starting": tr("Starting the training process (loading TensorFlow)…"),
            "loading": tr("Loading MNIST…"),
            "building": tr("Preparing the training images…"),
            "evaluating": tr("Evaluating on the 10,000 MNIST test digits…"),
            "saving": tr("Saving the model…"),
        }
        return phases.get(progress.phase, progress.phase)
    text = tr("Epoch {epoch} of {epochs}", epoch=progress.epoch, epochs=progress.epochs)
    if progress.steps:
        text += " · " + tr("batch {step} of {steps}", step=f"{progress.step:,}", steps=f"{progress.steps:,}")
    text += " · " + tr("{time} elapsed", time=clock(progress.elapsed))
    if progress.remaining is not None:
        text += " · " + tr("about {time} left", time=clock(progress.remaining))
    return text


BOX_DRAWING = range(0x2500, 0x2580)  # the Unicode block model.summary()'s table is drawn with


def narrow_summary(text: str) -> str:
    """`model.summary()` with each column of its table only as wide as its widest cell: the same
    table in about 40 characters instead of 64, readable on a phone without shrinking the font.
    Text that is not such a table comes back unchanged."""
    lines = text.splitlines()
    rows = [line for line in lines if line[:1] and ord(line[0]) in BOX_DRAWING]
    content = [line for line in rows if " " in line]  # header and layer rows; borders have no spaces
    if not content or any(len(line) != len(content[0]) for line in rows):
        return text
    cuts = [j for j, char in enumerate(content[0]) if ord(char) in BOX_DRAWING]
    if any([j for j, char in enumerate(line) if ord(char) in BOX_DRAWING] != cuts for line in content):
        return text
    spans = list(zip(cuts, cuts[1:]))
    widths = [max(len(line[a + 1 : b].strip()) for line in content) + 2 for a, b in spans]

    def narrow(line: str) -> str:
        if line not in rows:
            return line
        parts = [line[cuts[0]]]
        for (a, b), width in zip(spans, widths):
            cell = line[a + 1 : b]
            if " " not in line:  # a border: its fill character, as wide as the column
                parts.append(cell[0] * width)
            elif cell.startswith("  ") and cell.strip():  # right-aligned, as numbers are
                parts.append(cell.strip().rjust(width - 1) + " ")
            else:
                parts.append(" " + cell.strip().ljust(width - 1))
            parts.append(line[b])
        return "".join(parts)

    return "\n".join(narrow(line) for line in lines)
