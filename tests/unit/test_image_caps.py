"""Every place that decodes image bytes refuses an over-cap image from its header.

A 1-bit PNG declaring 12000x12000 pixels (144 MP) is ~20 KB on disk but ~0.6 GB once decoded to
RGB; 8000x8000 is under PIL's own bomb limit and under the old 64 MP metrics cap, so it used to
be decoded everywhere. Each component must turn such an image into that item's failure with a
reason, and the process's peak memory must barely move.
"""

from __future__ import annotations

import ctypes
import io
import json
import struct
import warnings
import zlib

import pytest
from PIL import Image

from sciray.imaging import DEFAULT_MAX_PIXELS, ImageRejected

SIZES = [(8000, 8000), (12000, 12000)]
MAX_RISE_MB = 48  # decoding 8000x8000 as 1-bit alone takes 61 MiB, as RGB 244 MiB


def huge_png(width: int, height: int) -> bytes:
    """A valid, all-black 1-bit PNG of ``width x height``, built row by row (never held whole)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    packer = zlib.compressobj(9)
    row = b"\0" * (1 + (width + 7) // 8)  # filter byte, then the packed pixels
    idat = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
        + chunk(b"IDAT", idat)
        + chunk(b"IEND", b"")
    )


def small_png(text_colour=(0, 0, 0)) -> bytes:
    image = Image.new("RGB", (64, 48), "white")
    image.putpixel((10, 10), text_colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"no {field} in /proc/self/status")


def peak_rise_mb(fn):
    """(fn's result, how many MiB the process's peak RSS rose above its RSS while fn ran)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # freed heap pages would otherwise be reused unseen
    except (OSError, AttributeError):
        pass
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # resets VmHWM to the current RSS
    base = _status_kb("VmRSS")
    result = fn()
    return result, (_status_kb("VmHWM") - base) / 1024


@pytest.fixture(scope="module", params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def huge(request) -> bytes:
    data = huge_png(*request.param)
    assert len(data) < 64 * 1024
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data)) as image:  # PIL agrees on what it declares
            assert image.size == request.param and image.mode == "1"
    return data


# -- metrics ------------------------------------------------------------------------------------
def test_metrics_load_rgb_refuses_an_over_cap_image_without_decoding(huge):
    from sciray.metrics import load_rgb

    (array, why), rise = peak_rise_mb(lambda: load_rgb(huge, 64))
    assert array is None and "over the cap" in why and f"{DEFAULT_MAX_PIXELS}" in why
    assert rise < MAX_RISE_MB


def test_metrics_compute_reports_the_over_cap_image_and_scores_the_rest(huge):
    from sciray.config.models import MetricsConfig
    from sciray.metrics import ImageMetrics, MetricPair

    good = small_png()
    pairs = [
        MetricPair(id="huge", image=huge, reference=good, text="q"),
        MetricPair(id="fine", image=good, reference=good, text="q"),
    ]
    result = ImageMetrics(MetricsConfig(size=64, batch_size=2)).compute(pairs)
    assert "over the cap" in result.missing["huge"] and set(result.per_image) == {"fine"}


# -- validate (quiz validator and judge) --------------------------------------------------------
def test_prepare_image_refuses_an_over_cap_image_with_bad_image(huge):
    from sciray.validate import BadImage, prepare_image

    def prepare():
        with pytest.raises(BadImage) as exc:
            prepare_image(huge, 1024)
        return str(exc.value)

    reason, rise = peak_rise_mb(prepare)
    assert "over the cap" in reason and "\n" not in reason
    assert rise < MAX_RISE_MB


def test_quiz_validator_marks_an_over_cap_image_bad_image_with_the_reason(huge):
    from sciray.config.models import ValidatorConfig
    from sciray.llm.scripted import ScriptedEngine
    from sciray.types import Problem
    from sciray.validate import QuizValidator

    quiz = {"question": "Which?", "options": {"A": "1", "B": "2"}, "correct_option": "A"}
    problem = Problem(id="p", question="q", image_type="Physics - Mechanics", quizzes=[quiz])
    validator = QuizValidator(
        ValidatorConfig(engine="scripted", mode="vision"), ScriptedEngine(responder=lambda r: "A")
    )
    (result,), rise = peak_rise_mb(lambda: validator.validate([(problem, huge, None)]))
    assert (
        result.status == "bad_image" and "over the cap" in result.reason and result.accuracy is None
    )
    assert rise < MAX_RISE_MB


# -- eval ---------------------------------------------------------------------------------------
def test_eval_thumbnail_of_an_over_cap_image_is_none_without_decoding(huge):
    from sciray.evaluation.report import thumbnail_data_url

    url, rise = peak_rise_mb(lambda: thumbnail_data_url(huge))
    assert url is None and rise < MAX_RISE_MB
    assert thumbnail_data_url(small_png()).startswith("data:image/png;base64,")


def test_eval_row_of_an_over_cap_image_is_bad_image_with_the_reason(huge):
    from sciray.config.models import SciRayConfig
    from sciray.evaluation.images import ImageEntry
    from sciray.evaluation.report import render_report
    from sciray.evaluation.run import Evaluator
    from sciray.types import Problem

    problems = [
        Problem(id=pid, question="A block of mass 2 kg.", image_type="Physics - Mechanics")
        for pid in ("huge", "fine")
    ]
    entries = {"huge": ImageEntry("huge", data=huge), "fine": ImageEntry("fine", data=small_png())}
    evaluator = Evaluator(SciRayConfig(), ("checks",))
    out, rise = peak_rise_mb(lambda: evaluator.evaluate(problems, entries, "caps"))
    rows = {r["problem_id"]: r for r in out.rows}
    assert rows["huge"]["status"] == "bad_image" and "over the cap" in rows["huge"]["error"]
    assert (
        rows["huge"]["checks_passed"] is False
        and "over the cap" in rows["huge"]["check_reasons"][0]
    )
    assert rows["fine"]["status"] == "ok" and rows["fine"]["checks"]["rendered"] == 1.0
    assert rise < MAX_RISE_MB
    html, rise = peak_rise_mb(lambda: render_report(out.summary, out.rows, out.images))
    assert "Missing or unreadable images (1)" in html and "over the cap" in html
    assert rise < MAX_RISE_MB


def test_eval_cli_scores_the_other_images_and_never_decodes_the_over_cap_one(
    huge, tmp_path, capsys
):
    from sciray.cli.main import main

    quiz = {"question": "Which mass?", "options": {"A": "1 kg", "B": "2 kg"}, "correct_option": "B"}
    problems = tmp_path / "problems.jsonl"
    problems.write_text(
        "".join(
            json.dumps(
                {
                    "id": pid,
                    "question": "A block of mass 2 kg.",
                    "answer": "1",
                    "image_type": "Physics - Mechanics",
                    "quizzes": [quiz],
                }
            )
            + "\n"
            for pid in ("huge", "fine")
        )
    )
    images = tmp_path / "images"
    images.mkdir()
    (images / "fine.png").write_bytes(small_png())
    script = tmp_path / "answers.json"
    script.write_text(json.dumps([{"match": ".", "text": "B"}]))
    args = [
        "eval",
        "--problems",
        str(problems),
        "--images",
        str(images),
        "--metrics",
        "checks,quiz",
        "--json",
        "--set",
        "validator.engine=scripted",
        "--set",
        f"validator.script={script}",
        "--set",
        "validator.mode=vision",
    ]
    assert (
        main(args + ["--out", str(tmp_path / "warm")]) == 0
    )  # imports and first-use costs, not measured
    (images / "huge.png").write_bytes(huge)
    rc, rise = peak_rise_mb(lambda: main(args + ["--out", str(tmp_path / "eval")]))
    assert rc == 0, capsys.readouterr().err
    import pyarrow.parquet as pq

    rows = {
        r["problem_id"]: r for r in pq.read_table(tmp_path / "eval" / "scores.parquet").to_pylist()
    }
    assert rows["huge"]["status"] == "bad_image" and "over the cap" in rows["huge"]["error"]
    assert rows["huge"]["quiz_status"] == "bad_image" and rows["fine"]["accuracy"] == 1.0
    assert rise < MAX_RISE_MB


# -- training -----------------------------------------------------------------------------------
def _row(image: bytes) -> dict:
    problem = {"id": "p", "question": "How heavy?", "answer": "2 kg"}
    return {
        "problem_id": "p",
        "status": "accepted",
        "problem": json.dumps(problem),
        "image": {"bytes": image},
    }


def test_training_rows_with_an_over_cap_image_give_no_samples(huge):
    from sciray.config.models import TrainDataConfig
    from sciray.train.samples import image_problem, row_to_samples

    samples, rise = peak_rise_mb(lambda: row_to_samples(_row(huge), TrainDataConfig()))
    assert samples == [] and rise < MAX_RISE_MB
    assert "over the cap" in image_problem(huge)
    assert [s["task"] for s in row_to_samples(_row(small_png()), TrainDataConfig())] == ["qa"]
    assert row_to_samples(_row(b"\x89PNG\r\n\x1a\n not a png"), TrainDataConfig()) == []


def test_collate_refuses_an_over_cap_image_and_drops_only_its_sample(huge):
    from sciray.errors import UserError
    from sciray.train.collate import decode_images, encode_batch, open_image

    def refuse():
        with pytest.raises(ImageRejected) as exc:
            open_image(huge)
        return str(exc.value)

    reason, rise = peak_rise_mb(refuse)
    assert "over the cap" in reason and rise < MAX_RISE_MB
    at_cap = huge_png(4000, 4000)  # exactly the cap: decoded, and the measure sees the decode
    image, rise = peak_rise_mb(lambda: open_image(at_cap))
    assert image.size == (4000, 4000) and rise > MAX_RISE_MB
    del image
    good = {"sample_id": "good:qa", "image": small_png()}
    bad = {"sample_id": "bad:qa", "image": huge}
    truncated = {"sample_id": "cut:qa", "image": small_png()[:60]}  # header fine, pixels missing
    (kept, images), rise = peak_rise_mb(lambda: decode_images([bad, good, truncated]))
    assert kept == [good] and [i.size for i in images] == [(64, 48)] and images[0].mode == "RGB"
    assert rise < MAX_RISE_MB
    with pytest.raises(UserError, match="every image of a training batch"):
        encode_batch(None, [bad, truncated], 64)  # refused before the processor is touched
