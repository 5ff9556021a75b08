"""Inverse validation, R_inv, the judge and the cascade (sciray.validate)."""

from __future__ import annotations

import base64
import io
import json
import os
import re
import stat
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from sciray.config.models import JudgeConfig, ValidatorConfig
from sciray.llm.base import ChatRequest, ChatResult
from sciray.llm.openai_engine import OpenAIEngine
from sciray.llm.scripted import ScriptedEngine
from sciray.types import Problem, QuizAnswer, Scene, SceneText
from sciray.validate import (
    BadImage,
    Cascade,
    Judge,
    QuizValidator,
    ValidationResult,
    counts,
    extract_letter,
    grade,
    parse_judge,
    prepare_image,
    r_inv,
    r_inv_by,
    scene_text,
)

# --- helpers ---------------------------------------------------------------------------------

OPTS = {"A": "30 N", "B": "40 N", "C": "upward", "D": "downward"}


def png(w: int = 40, h: int = 20, color=(255, 0, 0), mode: str = "RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (w, h), color).save(buf, format="PNG")
    return buf.getvalue()


def quiz(q: str, correct: str, options: dict | None = None) -> dict:
    return {"question": q, "options": options or dict(OPTS), "correct_option": correct}


def problem(
    pid: str, quizzes: list[dict], image_type: str | None = "Physics - Mechanics"
) -> Problem:
    return Problem(id=pid, question=f"Problem {pid}", image_type=image_type, quizzes=quizzes)


def user_text(req: ChatRequest) -> str:
    content = req.messages[-1]["content"]
    if isinstance(content, str):
        return content
    return "\n".join(p.get("text", "") for p in content if p.get("type") == "text")


def user_images(req: ChatRequest) -> list[bytes]:
    content = req.messages[-1]["content"]
    if isinstance(content, str):
        return []
    urls = [p["image_url"]["url"] for p in content if p.get("type") == "image_url"]
    return [base64.b64decode(u.split(",", 1)[1]) for u in urls]


class CountingEngine(ScriptedEngine):
    """A ScriptedEngine that counts generate() calls and batch sizes."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.batches: list[int] = []

    def generate(self, requests):
        self.batches.append(len(requests))
        return super().generate(requests)


def vcfg(**kw) -> ValidatorConfig:
    return ValidatorConfig(engine="scripted", model="vlm", **kw)


# --- extract_letter ----------------------------------------------------------------------------

LETTER_CORPUS = [
    ("B", "B"),
    ("(B)", "B"),
    ("**B**", "B"),
    ("B.", "B"),
    ("B)", "B"),
    ("[d]", "D"),
    ("c", "C"),
    ("Answer: B", "B"),
    ("The answer is B.", "B"),
    ("answer is (b)", "B"),
    ("I think it's option C because the arrow points up.", "C"),
    ("<think>A looks right... no, wait.</think>\nB", "B"),
    ("<think>very long reasoning that never ends", None),
    (r"\boxed{B}", "B"),
    (r"So the result is $\boxed{\text{C}}$.", "C"),
    ("Final answer: D", "D"),
    ("Let me look. Answer: A. Hmm. Final answer: C", "C"),
    ("B. 40 N", "B"),
    ("The correct option is **(C) upward**", "C"),
    ("40 N", "B"),
    ("upward.", "C"),
    ("The arrow on the block points downward.", "D"),
    ("The answer is a force of 30 N", "A"),  # lowercase 'a' is an article; the option text decides
    ("I believe C is correct.", "C"),
    ("Option D", "D"),
    ("Answer: A, because B is drawn wrong", "A"),
    ("The answer is not A, it's B", "B"),
    ("答案是B", "B"),
    ("选B", "B"),
    ("答案：Ｃ", "C"),
    ("正确选项是D。", "D"),
    # ambiguous or undecidable
    ("A or B", None),
    ("The answer is A or B.", None),
    ("Either A or C could be right", None),
    ("Both A and D are plausible", None),
    ("Answer: A. Answer: B", None),
    ("The figure shows 30 N and 40 N", None),
    ("A ball rolls down the incline", None),
    ("E", None),
    ("I don't know", None),
    ("", None),
    ("   \n ", None),
]


@pytest.mark.parametrize("raw,expected", LETTER_CORPUS)
def test_extract_letter_corpus(raw, expected):
    assert extract_letter(raw, OPTS) == expected


def test_extract_letter_never_raises():
    for bad in (None, 12, b"B", "B" * 100_000, "((((", "\\boxed{", "<think>", "答案是"):
        extract_letter(bad, OPTS)  # type: ignore[arg-type]
    assert extract_letter("B", {}) is None


def test_grade_statuses():
    q = problem("p", [quiz("Which way?", "C")]).quizzes[0]
    ok = grade(q, "C", 3)
    assert (ok.index, ok.answer, ok.correct, ok.status) == (3, "C", True, "ok")
    wrong = grade(q, "Answer: D", 0)
    assert (wrong.answer, wrong.correct, wrong.status) == ("D", False, "ok")
    und = grade(q, "A or C", 0)
    assert (und.answer, und.correct, und.status) == (None, False, "undecided")
    err = grade(q, None, 0)
    assert (err.correct, err.status) == (False, "error")


# --- images ------------------------------------------------------------------------------------


def test_prepare_image_png_downscales_keeping_aspect():
    data, rec = prepare_image(png(400, 200, (10, 20, 30, 0), "RGBA"), 100, "png")
    img = Image.open(io.BytesIO(data))
    assert img.format == "PNG" and img.size == (100, 50)
    assert rec == {
        "width": 100,
        "height": 50,
        "format": "png",
        "quality": None,
        "bytes": len(data),
        "source_width": 400,
        "source_height": 200,
    }


def test_prepare_image_jpeg_composites_alpha_on_white_and_never_upscales():
    data, rec = prepare_image(png(30, 60, (0, 0, 0, 0), "RGBA"), 1000, "jpeg", 70)
    img = Image.open(io.BytesIO(data))
    assert img.format == "JPEG" and img.mode == "RGB" and img.size == (30, 60)
    assert min(img.getpixel((15, 30))) > 245  # transparent -> white, not black
    assert (rec["format"], rec["quality"], rec["bytes"], rec["width"], rec["height"]) == (
        "jpeg",
        70,
        len(data),
        30,
        60,
    )
    # JPEG input and palette images work too
    pal = Image.new("P", (50, 10))
    buf = io.BytesIO()
    pal.save(buf, format="PNG")
    _, rec2 = prepare_image(buf.getvalue(), 25, "png")
    assert (rec2["width"], rec2["height"]) == (25, 5)
    _, rec3 = prepare_image(data, 20, "png")
    assert (rec3["width"], rec3["height"]) == (10, 20)


@pytest.mark.parametrize(
    "bad", [b"", b"not an image", png()[:40], b"\x89PNG\r\n\x1a\n" + b"\0" * 50]
)
def test_prepare_image_corrupt_raises_bad_image(bad):
    with pytest.raises(BadImage) as exc:
        prepare_image(bad, 100)
    assert isinstance(exc.value, ValueError) and "\n" not in str(exc.value)


# --- QuizValidator -----------------------------------------------------------------------------


def answer_by_rule(req: ChatRequest) -> str:
    """Answers 'Q-right-X' quizzes with X, 'Q-wrong' with A, 'Q-vague' with prose."""
    text = user_text(req)
    m = re.search(r"Question: Q-right-([A-D])", text)
    if m:
        return f"The answer is ({m.group(1)})."
    if "Question: Q-vague" in text:
        return "It could be the first or the second one, hard to say."
    return "A"


def test_validator_batches_all_quizzes_in_one_call_and_handles_bad_images():
    engine = CountingEngine(responder=answer_by_rule)
    p1 = problem("p1", [quiz("Q-right-B", "B"), quiz("Q-right-C", "C"), quiz("Q-wrong", "D")])
    p2 = problem("p2", [quiz("Q-right-A", "A")])
    p3 = problem("p3", [quiz("Q-right-A", "A")])
    p4 = problem("p4", [quiz("Q-right-D", "D"), quiz("Q-wrong", "B")])
    p5 = problem("p5", [])
    v = QuizValidator(vcfg(image_max_side=64), engine)
    out = v.validate(
        [
            (p1, png(128, 64), None),
            (p2, None, None),
            (p3, b"garbage", None),
            (p4, png(), None),
            (p5, png(), None),
        ]
    )
    assert engine.batches == [5]  # every quiz of every item in one call
    assert [r.problem_id for r in out] == ["p1", "p2", "p3", "p4", "p5"]
    assert (
        out[0].accuracy == pytest.approx(2 / 3)
        and out[0].status == "ok"
        and out[0].mode == "vision"
    )
    assert [a.answer for a in out[0].answers] == ["B", "C", "A"]
    assert (out[0].image["width"], out[0].image["height"], out[0].image["format"]) == (
        64,
        32,
        "png",
    )
    assert (out[1].status, out[1].accuracy, out[1].answers) == ("missing_image", None, [])
    assert out[2].status == "bad_image" and out[2].accuracy is None and "decode" in out[2].reason
    assert out[3].accuracy == 0.5
    assert out[4].status == "no_quizzes" and out[4].accuracy is None
    # the image sent is the prepared one, and the prompt asks for the letter only from the image
    req = engine.requests[0]
    sent = Image.open(io.BytesIO(user_images(req)[0]))
    assert sent.size == (64, 32)
    assert "letter" in user_text(req) and "only what the figure shows" in user_text(req)
    assert req.request_id == "p1#0"
    assert json.loads(json.dumps(out[0].to_dict()))["answers"][0]["answer"] == "B"


def test_validator_jpeg_is_sent_as_jpeg():
    engine = CountingEngine(responder=answer_by_rule)
    v = QuizValidator(vcfg(image_format="jpeg", image_quality=60), engine)
    (res,) = v.validate([(problem("p", [quiz("Q-right-A", "A")]), png(), None)])
    assert res.image["format"] == "jpeg" and res.image["quality"] == 60
    url = engine.requests[0].messages[-1]["content"][0]["image_url"]["url"]
    assert url.startswith("data:image/jpeg;base64,")


def test_validator_verifier_settles_undecided_answers_in_one_batch():
    main = CountingEngine(responder=answer_by_rule)
    verifier = CountingEngine(
        responder=lambda r: "B" if "Question: Q-vague-1" in user_text(r) else "NONE"
    )
    p = problem("p", [quiz("Q-vague-1", "B"), quiz("Q-vague-2", "A"), quiz("Q-right-C", "C")])
    v = QuizValidator(vcfg(verifier=True), main, verifier_engine=verifier)
    (res,) = v.validate([(p, png(), None)])
    assert main.batches == [3] and verifier.batches == [2]
    assert [a.status for a in res.answers] == ["verified", "undecided", "ok"]
    assert [a.correct for a in res.answers] == [True, False, True]
    assert res.accuracy == pytest.approx(2 / 3) and res.n_undecided == 1 and res.n_verified == 1
    # the verifier sees the quiz, the options and the raw answer, but no image
    vreq = verifier.requests[0]
    assert (
        "hard to say" in user_text(vreq) and "B. 40 N" in user_text(vreq) and not user_images(vreq)
    )
    # without the verifier an undecided answer is simply wrong
    (plain,) = QuizValidator(vcfg(), CountingEngine(responder=answer_by_rule)).validate(
        [(p, png(), None)]
    )
    assert [a.status for a in plain.answers] == ["undecided", "undecided", "ok"]
    assert plain.accuracy == pytest.approx(1 / 3)


def test_validator_engine_errors_count_as_wrong_but_all_errors_means_no_score():
    def flaky(req):
        if "Q-fail" in user_text(req):
            return ChatResult.failed("server error 500", req.request_id)
        return answer_by_rule(req)

    v = QuizValidator(vcfg(), CountingEngine(responder=flaky))
    partial = problem("a", [quiz("Q-right-A", "A"), quiz("Q-fail", "A")])
    dead = problem("b", [quiz("Q-fail", "A"), quiz("Q-fail 2", "B")])
    ra, rb = v.validate([(partial, png(), None), (dead, png(), None)])
    assert ra.accuracy == 0.5 and ra.n_errors == 1 and ra.status == "ok"
    assert rb.accuracy is None and rb.status == "error" and rb.n_errors == 2
    c = counts([ra, rb])
    assert c["errors"] == 3 and c["scored"] == 1 and c["r_inv"] == 50.0


def ocr_scene() -> Scene:
    return Scene(
        texts=[
            SceneText(text="m = 2 kg", bbox=[10, 50, 60, 60]),
            SceneText(text="F = 30 N", bbox=[100, 10, 150, 20]),
            SceneText(text="Title", bbox=[10, 11, 40, 21], kind="title"),
            SceneText(text="0.5", bbox=[5, 90, 15, 95], kind="tick"),
            SceneText(text="lost", bbox=[-50, 70, -10, 80]),
            SceneText(text="$\\theta = 30^\\circ$", bbox=[70, 52, 110, 62]),
        ],
        outside=[4],
    )


def test_scene_text_reading_order_skips_ticks_and_offcanvas():
    text = scene_text(ocr_scene())
    lines = text.splitlines()
    assert lines[0].split("  ") == ["Title", "F = 30 N"]
    assert lines[1].startswith("m = 2 kg  ") and "30" in lines[1]
    assert "0.5" not in text and "lost" not in text


def test_ocr_proxy_reads_scene_texts():
    def reader(req):
        text = user_text(req)
        return "A" if "F = 30 N" in text else "B"

    engine = CountingEngine(responder=reader)
    v = QuizValidator(vcfg(mode="ocr", ocr_engine="scene"), engine)
    p = problem("p", [quiz("What force?", "A"), quiz("Which way?", "C")])
    (res,) = v.validate([(p, None, ocr_scene())])  # no image needed with a scene
    assert res.mode == "ocr-proxy" and res.image["source"] == "scene"
    assert res.accuracy == 0.5 and engine.batches == [2]
    req = engine.requests[0]
    assert not user_images(req) and "Text read from the figure" in user_text(req)
    assert "0.5" not in user_text(req)


def test_scene_proxy_answers_from_the_drawn_scene_description():
    """validator.mode=scene: a text model reads the scene description the image was drawn from
    (labelled scene-proxy); a figure drawn from code has no description and no score."""
    spec = {"domain": "mechanics", "bodies": [{"kind": "block", "label": "m = 2 kg"}]}

    def reader(req):
        return "A" if '"m = 2 kg"' in user_text(req) else "B"

    engine = CountingEngine(responder=reader)
    v = QuizValidator(vcfg(mode="scene"), engine)
    p = problem("p", [quiz("What mass?", "A"), quiz("Which way?", "C")])
    drawn, coded = v.validate([(p, png(), ocr_scene(), spec), (p, png(), ocr_scene())])
    assert drawn.mode == "scene-proxy" and drawn.image == {
        "source": "scene_spec",
        "domain": "mechanics",
    }
    assert drawn.accuracy == 0.5 and engine.batches == [2]
    req = engine.requests[0]
    assert not user_images(req) and "Description of the figure" in user_text(req)
    assert "F = 30 N" not in user_text(req)  # the description, not the rendered texts
    assert coded.status == "no_scene" and coded.accuracy is None and coded.mode == "scene-proxy"


def test_ocr_proxy_without_tesseract_reports_no_ocr(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    engine = CountingEngine(responder=answer_by_rule)
    v = QuizValidator(vcfg(mode="ocr", ocr_engine="tesseract"), engine)
    p = problem("p", [quiz("Q-right-A", "A")])
    res, missing = v.validate([(p, png(), ocr_scene()), (p, None, None)])
    assert res.status == "no_ocr" and res.accuracy is None and res.mode == "ocr-proxy"
    assert "apt-get install tesseract-ocr" in res.reason and "\n" not in res.reason
    assert missing.status == "missing_image"
    assert engine.batches == []  # nothing to ask: no call at all


def test_ocr_proxy_runs_the_tesseract_cli(tmp_path, monkeypatch):
    fake = tmp_path / "tesseract"
    fake.write_text("#!/bin/sh\n[ \"$1\" = stdin ] || exit 3\ncat > /dev/null\necho 'v = 40 N'\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    engine = CountingEngine(responder=lambda r: "B" if "v = 40 N" in user_text(r) else "A")
    v = QuizValidator(vcfg(mode="ocr", ocr_engine="scene"), engine)  # no scene -> tesseract
    (res,) = v.validate([(problem("p", [quiz("Speed?", "B")]), png(), None)])
    assert res.status == "ok" and res.accuracy == 1.0 and res.image["source"] == "tesseract"


# --- aggregation -------------------------------------------------------------------------------


def vr(
    pid: str, acc: float | None, status: str = "ok", answers: list[QuizAnswer] | None = None
) -> ValidationResult:
    return ValidationResult(pid, answers or [], acc, status)


def test_r_inv_hand_computed():
    results = [
        vr("p1", 1.0),
        vr("p2", 0.5),
        vr("p3", 0.25),
        vr("p4", None, "missing_image"),
        vr("p5", 0.0),
        vr("p6", None, "bad_image"),
    ]
    # (1 + 0.5 + 0.25 + 0) / 4 = 0.4375 -> 43.75 %; p4 and p6 excluded from the mean, but counted
    assert r_inv(results) == pytest.approx(43.75)
    c = counts(results)
    assert (c["problems"], c["scored"], c["missing"]) == (6, 4, 2)
    assert c["statuses"] == {"bad_image": 1, "missing_image": 1, "ok": 4}
    assert r_inv([]) is None and r_inv([vr("x", None, "missing_image")]) is None


def test_r_inv_by_subject_and_image_type():
    problems = [
        problem("m1", [], "Physics - Mechanics"),
        problem("m2", [], "Physics - Optics"),
        problem("c1", [], "Chemistry - Molecular"),
        problem("u1", [], None),
    ]
    und = QuizAnswer(index=0, raw="?", answer=None, correct=False, status="undecided")
    ok = QuizAnswer(index=1, raw="A", answer="A", correct=True, status="ok")
    results = [
        vr("m1", 0.5, answers=[und, ok]),
        vr("m2", 1.0, answers=[ok]),
        vr("c1", None, "missing_image"),
        vr("u1", 0.75),
    ]
    by_subject = r_inv_by(results, problems, "subject")
    assert list(by_subject) == ["Chemistry", "Physics", "unknown"]
    assert by_subject["Physics"]["r_inv"] == pytest.approx(75.0)
    assert by_subject["Physics"]["undecided"] == 1 and by_subject["Physics"]["quizzes"] == 3
    assert by_subject["Physics"]["correct"] == 2
    assert by_subject["Chemistry"]["r_inv"] is None and by_subject["Chemistry"]["missing"] == 1
    assert by_subject["unknown"]["r_inv"] == 75.0
    by_type = r_inv_by(results, {p.id: p for p in problems}, "image_type")
    assert (
        by_type["Physics - Optics"]["r_inv"] == 100.0
        and by_type["Physics - Mechanics"]["r_inv"] == 50.0
    )
    with pytest.raises(ValueError):
        r_inv_by(results, problems, "colour")


# --- a real OpenAI-compatible server -----------------------------------------------------------


class VisionServer:
    """A chat-completions server that looks at the image it gets: it answers with the option
    whose text names the colour of the image's centre pixel."""

    COLOURS = {"red": (255, 0, 0), "blue": (0, 0, 255), "green": (0, 128, 0)}

    def __init__(self):
        self.seen: list[tuple[str, tuple[int, int]]] = []
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                try:
                    answer = server.answer(body)
                    status, payload = (
                        200,
                        {
                            "choices": [
                                {
                                    "message": {"role": "assistant", "content": answer},
                                    "finish_reason": "stop",
                                }
                            ],
                            "usage": {"prompt_tokens": 10, "completion_tokens": 3},
                        },
                    )
                except Exception as exc:  # the test reads it back as a failed request
                    status, payload = 400, {"error": {"message": f"bad request: {exc}"}}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, args=(0.05,), daemon=True).start()

    def answer(self, body: dict) -> str:
        parts = body["messages"][-1]["content"]
        url = next(p["image_url"]["url"] for p in parts if p["type"] == "image_url")
        text = next(p["text"] for p in parts if p["type"] == "text")
        head, b64 = url.split(",", 1)
        assert head == "data:image/png;base64"
        raw = base64.b64decode(b64)
        assert raw[:8] == b"\x89PNG\r\n\x1a\n"
        img = Image.open(io.BytesIO(raw))
        img.load()
        assert img.format == "PNG"
        with self.lock:
            self.seen.append((body["model"], img.size))
        px = img.convert("RGB").getpixel((img.width // 2, img.height // 2))
        colour = min(
            self.COLOURS, key=lambda c: sum(abs(a - b) for a, b in zip(self.COLOURS[c], px))
        )
        for line in text.splitlines():
            m = re.match(r"([A-D])\. (.*)", line)
            if m and m.group(2).strip().lower() == colour:
                return f"Looking at the figure, the answer is **{m.group(1)}**."
        return "None of the options matches."

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_end_to_end_against_a_real_openai_compatible_server():
    server = VisionServer()
    try:
        cfg = ValidatorConfig(
            engine="openai",
            base_url=server.url,
            model="vlm",
            image_max_side=64,
            max_retries=0,
            timeout_s=20,
            max_concurrency=4,
        )
        engine = OpenAIEngine(cfg)
        colours = {"A": "red", "B": "blue", "C": "green"}
        q = lambda correct: quiz("What colour is the square?", correct, colours)  # noqa: E731
        items = [
            (problem("red", [q("A"), q("A")]), png(200, 100, (250, 5, 5)), None),  # 2/2
            (problem("blue", [q("B"), q("C")]), png(100, 300, (0, 0, 240)), None),  # 1/2
            (problem("green", [q("A")]), png(50, 50, (0, 120, 0)), None),  # 0/1
            (problem("gone", [q("A")]), None, None),  # missing
        ]
        results = QuizValidator(cfg, engine).validate(items)
    finally:
        server.close()
    assert [r.accuracy for r in results] == [1.0, 0.5, 0.0, None]
    assert r_inv(results) == pytest.approx(50.0)
    assert [a.answer for a in results[1].answers] == ["B", "B"]
    # the server decoded real PNGs of the prepared sizes (longer side 64, aspect kept)
    assert sorted(server.seen) == sorted(
        [("vlm", (64, 32))] * 2 + [("vlm", (21, 64))] * 2 + [("vlm", (50, 50))]
    )
    assert results[1].image["width"] == 21 and results[1].image["height"] == 64


# --- judge -------------------------------------------------------------------------------------

GOOD = '{"CF": 2, "LP": 1, "RO": 2, "SP": 2, "ER": 1}'
JUDGE_CORPUS = [
    (GOOD, (2, 1, 2, 2, 1), "ok"),
    ('```json\n{"CF": 2, "LP": 1, "RO": 2, "SP": 2, "ER": 1,}\n```', (2, 1, 2, 2, 1), "ok"),
    ("Sure! {'CF': 2, 'LP': 1, 'RO': 0, 'SP': 2, 'ER': 1} Hope this helps.", (2, 1, 0, 2, 1), "ok"),
    ('{"cf": 2, "Lp": 1, "ro": 2, "sp": 2, "er": 1}', (2, 1, 2, 2, 1), "ok"),
    (
        '{"Correctness & Fidelity": 2, "Layout & Precision": 1, "Readability & Occlusion": 2, '
        '"Scientific Plausibility": 1, "Expressiveness & Richness": 0}',
        (2, 1, 2, 1, 0),
        "ok",
    ),
    ('{"CF": "2", "LP": "1", "RO": "2/2", "SP": "2", "ER": "0"}', (2, 1, 2, 2, 0), "ok"),
    (
        '<think>maybe {"CF": 0}</think>\n{"CF": 1, "LP": 1, "RO": 1, "SP": 1, "ER": 1}',
        (1, 1, 1, 1, 1),
        "ok",
    ),
    (
        '{"scores": {"CF": {"score": 2, "reason": "all there"}, "LP": {"score": 1}, "RO": 2, "SP": 2, '
        '"ER": 2}, "comment": "fine"}',
        (2, 1, 2, 2, 2),
        "ok",
    ),
    ("CF: 2\nLP: 1\nRO: 2\nSP: 0\nER: 1", (2, 1, 2, 0, 1), "ok"),
    (
        "**Correctness & Fidelity (CF):** 2/2\n**Layout & Precision (LP):** 1/2\nReadability and "
        "Occlusion: 2\nScientific Plausibility: 2\nExpressiveness & Richness: 1",
        (2, 1, 2, 2, 1),
        "ok",
    ),
    ("{CF: 2, LP: 1, RO: 2, SP: 2, ER: 1}", (2, 1, 2, 2, 1), "ok"),
    ('{"cf_reason": "good", "CF": 2, "LP": 1, "RO": 2, "SP": 2, "ER": 1}', (2, 1, 2, 2, 1), "ok"),
    ('{"CF": 3, "LP": 1, "RO": 2, "SP": 2, "ER": 1}', None, "out_of_range:CF=3"),
    ('{"CF": -1, "LP": 1, "RO": 2, "SP": 2, "ER": 1}', None, "out_of_range:CF=-1"),
    ('{"CF": 1.5, "LP": 1, "RO": 2, "SP": 2, "ER": 1}', None, "not_integer:CF=1.5"),
    ('{"CF": true, "LP": 1, "RO": 2, "SP": 2, "ER": 1}', None, "not_integer:CF=True"),
    ('{"CF": 2, "LP": 1}', None, "missing:RO,SP,ER"),
    ("I cannot grade this figure.", None, "no_scores"),
    ("", None, "empty"),
    (None, None, "empty"),
]


@pytest.mark.parametrize("raw,scores,status", JUDGE_CORPUS)
def test_parse_judge_corpus(raw, scores, status):
    got, why = parse_judge(raw)
    assert why == status
    if scores is None:
        assert got is None
    else:
        assert (got.CF, got.LP, got.RO, got.SP, got.ER) == scores


def test_judge_retries_only_failed_items_and_is_bounded():
    def responder(req):
        text = user_text(req)
        if "Problem bad" in json.dumps(req.messages):
            return "I refuse to use JSON."
        if "could not be read" in text:  # second try of 'late'
            return GOOD
        if "Problem late" in text:
            return "Scores: CF two-ish"
        return GOOD

    engine = CountingEngine(responder=responder)
    judge = Judge(JudgeConfig(engine="scripted", parse_retries=2, image_max_side=64), engine)
    items = [
        (problem("good", []), png(100, 50)),
        (problem("late", []), png()),
        (problem("bad", []), png()),
        (problem("broken", []), b"xx"),
        (problem("none", []), None),
    ]
    res = judge.score(items)
    assert engine.batches == [3, 2, 1]  # all, then only the failed ones; 1 + parse_retries rounds
    assert [(r.status, r.attempts) for r in res] == [
        ("ok", 1),
        ("ok", 2),
        ("unparseable", 3),
        ("bad_image", 0),
        ("missing_image", 0),
    ]
    assert res[0].scores.CF == 2 and res[2].scores is None and res[2].reason == "no_scores"
    assert res[2].raw == "I refuse to use JSON."
    first = engine.requests[0]
    assert Image.open(io.BytesIO(user_images(first)[0])).size == (64, 32)
    assert "Correctness & Fidelity" in user_text(first) and '"CF"' in user_text(first)
    # the retry shows the bad answer and asks again
    retry = engine.requests[3]
    assert retry.messages[-2]["role"] == "assistant" and "could not be read" in user_text(retry)

    zero = CountingEngine(responder=lambda r: "nope")
    (only,) = Judge(JudgeConfig(engine="scripted", parse_retries=0), zero).score(
        [(problem("x", []), png())]
    )
    assert zero.batches == [1] and only.status == "unparseable" and only.attempts == 1


# --- cascade -----------------------------------------------------------------------------------


def test_cascade_gates_each_step_on_the_previous():
    def cheap_reader(req):  # the OCR proxy: right only when the scene text shows the value
        text = user_text(req)
        if "F = 30 N" not in text:
            return "B"
        m = re.search(r"\[cheap ([A-D])\]", text)
        return m.group(1) if m else "A"

    cheap_engine = CountingEngine(responder=cheap_reader)
    vision_engine = CountingEngine(responder=answer_by_rule)
    cheap = QuizValidator(vcfg(mode="ocr"), cheap_engine)
    vision = QuizValidator(vcfg(), vision_engine)
    good_scene = Scene(texts=[SceneText(text="F = 30 N", bbox=[0, 0, 10, 10])])
    bad_scene = Scene(texts=[SceneText(text="nothing", bbox=[0, 0, 10, 10])])
    qs_ok = [quiz("Q-right-A", "A"), quiz("Q-right-A again", "A")]
    items = [
        (problem("fails-checks", qs_ok), png(), good_scene, False),
        (problem("fails-cheap", qs_ok), png(), bad_scene, True),
        (
            problem(
                "fails-vision",
                [
                    quiz("Q-right-A", "A"),
                    quiz("Q-wrong [cheap C]", "C"),
                    quiz("Q-x [cheap B]", "B"),
                ],
            ),
            png(),
            good_scene,
            True,
        ),
        (problem("accepted", qs_ok), png(), good_scene, True),
        (problem("no-image", qs_ok), None, None, True),  # cheap cannot score -> vision rejects
    ]
    report = Cascade(vision, cheap, cheap_threshold=0.5, vision_threshold=0.6).run(items)
    got = {d.problem_id: (d.accepted, d.stopped_at) for d in report.decisions}
    assert got == {
        "fails-checks": (False, "checks"),
        "fails-cheap": (False, "cheap"),
        "fails-vision": (False, "vision"),
        "accepted": (True, "vision"),
        "no-image": (False, "vision"),
    }
    assert report.counts == {
        "checks": {"in": 5, "passed": 4},
        "cheap": {"in": 4, "passed": 3, "unscored": 1},
        "vision": {"in": 3, "passed": 1, "unscored": 1},
    }
    assert cheap_engine.batches == [7] and vision_engine.batches == [5]
    assert "0.33 < 0.60" in report.decisions[2].reason
    with pytest.raises(ValueError):
        Cascade(vision, cheap_threshold=1.5)
    # no cheap step: everything that passed the checks goes to vision
    solo = Cascade(vision).run(items[:2])
    assert solo.counts["cheap"]["skipped"] is True and solo.counts["vision"]["in"] == 1
