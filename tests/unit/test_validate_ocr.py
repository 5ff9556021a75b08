"""The OCR proxy validator with the real Tesseract (installed by
scripts/install-system-packages.sh)."""

from __future__ import annotations

import io

from sciray.config.models import ValidatorConfig
from sciray.llm.scripted import ScriptedEngine
from sciray.types import Problem, Quiz
from sciray.validate import QuizValidator, tesseract_text


def _label_png(text: str) -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(4, 1.5), dpi=100)
    fig.text(0.1, 0.4, text, fontsize=28)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def test_tesseract_reads_a_rendered_label():
    assert "12kg" in tesseract_text(_label_png("m = 12 kg")).replace(" ", "")


def test_ocr_proxy_answers_from_what_tesseract_read():
    quiz = Quiz(
        question="What mass is labelled?",
        options={"A": "5 kg", "B": "12 kg", "C": "20 kg", "D": "1 kg"},
        correct_option="B",
    )
    problem = Problem(id="p", question="A 12 kg block.", quizzes=[quiz])
    seen = []

    def responder(request):
        text = request.messages[-1]["content"]
        seen.append(text)
        return "B" if "12kg" in text.replace(" ", "") else "A"

    validator = QuizValidator(
        ValidatorConfig(engine="scripted", mode="ocr", ocr_engine="tesseract"),
        ScriptedEngine(responder=responder),
    )
    (result,) = validator.validate([(problem, _label_png("m = 12 kg"), None)])
    assert result.mode == "ocr-proxy" and result.accuracy == 1.0
    assert "12kg" in seen[0].replace(" ", "")
