"""Answer accuracy on held-out multimodal questions: generate, then grade (grading is pure).

Reference answers are mostly free-form ("290.588 cm", "E = -G(Mm)/(2d)") and sometimes an option
letter. A generated answer counts as right when it chooses the same letter (read with the quiz
grader's ``extract_letter``, against options parsed from the question), equals the reference after
normalisation, or states the reference's number within a relative tolerance.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import Any

from sciray.train.samples import Sample
from sciray.validate.grading import clean_answer, extract_letter

_LETTER_REF = re.compile(r"\(?\s*([A-Za-z])\s*\)?\.?")
_OPTION_LINE = re.compile(r"(?m)^\s*\(?([A-Ha-h])[.):]\s+(.+?)\s*$")
_TIMES_TEN = re.compile(
    r"(\d+(?:\.\d+)?)\s*(?:×|x|\*|\\times|\\cdot)\s*10\s*\^\s*\{?\s*([-+−]?\d+)\s*\}?"
)
_NUMBER = re.compile(r"[-+−]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_BOXED = re.compile(r"\\boxed\s*\{((?:[^{}]|\{[^{}]*\})*)\}")
_ANSWER_TAIL = re.compile(r"(?:final answer|answer)\s*(?:is|=|:)\s*", re.IGNORECASE)


def parse_options(question: str) -> dict[str, str]:
    """Options written into a question as lines 'A. ...', '(b) ...', 'C) ...' (A, B, ... in order)."""
    found: dict[str, str] = {}
    for m in _OPTION_LINE.finditer(question or ""):
        letter = m.group(1).upper()
        if letter == chr(ord("A") + len(found)):
            found[letter] = m.group(2)
    return found if len(found) >= 2 else {}


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = re.sub(r"\{/?eq\}", "", text)
    text = re.sub(r"\\(?:text|mathrm|mathbf|operatorname)\s*\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"[$\\{}\s]", "", text)
    return text.rstrip(".").replace("−", "-")


def numbers(text: str) -> list[float]:
    """The numbers in ``text``; '1.5 × 10^8' and '1.5\\times10^{8}' read as 1.5e8, '107,590' as
    107590."""
    text = unicodedata.normalize("NFKC", text or "").replace("−", "-")
    text = _TIMES_TEN.sub(lambda m: f"{m.group(1)}e{m.group(2).replace('−', '-')}", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    out = []
    for m in _NUMBER.finditer(text):
        try:
            out.append(float(m.group().replace("−", "-")))
        except ValueError:
            continue
    return out


def final_part(raw: str) -> str:
    """The part of an answer that states the result: a \\boxed{} content, the text after
    'answer is', else the last non-empty line."""
    text = clean_answer(raw or "")
    boxed = _BOXED.findall(text)
    if boxed:
        return boxed[-1]
    tails = list(_ANSWER_TAIL.finditer(text))
    if tails:
        return text[tails[-1].end() :]
    lines = [line for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def grade_answer(
    raw: str | None, reference: str, question: str = "", rel_tol: float = 0.02
) -> tuple[bool, str]:
    """(correct, how it was decided): 'letter', 'exact', 'numeric', 'empty' or 'mismatch'."""
    if not raw or not raw.strip():
        return False, "empty"
    reference = str(reference).strip()
    letter = _LETTER_REF.fullmatch(reference)
    if letter:
        want = letter.group(1).upper()
        options = parse_options(question) or {
            chr(c): "" for c in range(ord("A"), max(ord(want), ord("D")) + 1)
        }
        got = extract_letter(raw, options)
        return (got is not None and got.upper() == want), "letter"
    part = final_part(raw)
    want = normalise(clean_answer(reference))  # the same cleaning on both sides
    if normalise(clean_answer(part)) == want or normalise(clean_answer(raw)) == want:
        return True, "exact"
    ref_numbers = numbers(reference)
    got_numbers = numbers(part)
    if len(ref_numbers) == 1 and got_numbers:
        want, got = ref_numbers[0], got_numbers[-1]
        return abs(got - want) <= rel_tol * max(abs(want), 1e-12), "numeric"
    return False, "mismatch"


def summarize(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """{n, correct, accuracy, by_task, by_method} over graded rows."""
    n = len(rows)
    correct = sum(1 for r in rows if r["correct"])
    return {
        "n": n,
        "correct": correct,
        "accuracy": round(correct / n, 4) if n else None,
        "by_method": dict(Counter(r["method"] for r in rows)),
    }


def generate_answers(
    model,
    processor,
    samples: list[Sample],
    *,
    max_new_tokens: int,
    batch_size: int,
    synced_gpus: bool = False,
) -> list[str]:
    """Greedy answers of ``model`` to the samples' prompts (each with its image)."""
    import torch

    from sciray.train.collate import open_image
    from sciray.train.samples import messages

    tokenizer = processor.tokenizer
    side, tokenizer.padding_side = tokenizer.padding_side, "left"  # generation appends on the right
    device = next(model.parameters()).device
    answers: list[str] = []
    try:
        for start in range(0, len(samples), batch_size):
            chunk = samples[start : start + batch_size]
            prompts = [
                processor.apply_chat_template(
                    messages(s, with_answer=False), tokenize=False, add_generation_prompt=True
                )
                for s in chunk
            ]
            enc = processor(
                text=prompts,
                images=[open_image(s["image"]) for s in chunk],
                padding=True,
                return_tensors="pt",
            ).to(device)
            with torch.no_grad():
                out = model.generate(
                    **enc,
                    max_new_tokens=max_new_tokens,
                    do_sample=False,
                    pad_token_id=tokenizer.pad_token_id,
                    synced_gpus=synced_gpus,
                )
            answers += tokenizer.batch_decode(
                out[:, enc["input_ids"].shape[1] :], skip_special_tokens=True
            )
    finally:
        tokenizer.padding_side = side
    return answers


def grade_samples(
    samples: list[Sample], answers: list[str], rel_tol: float
) -> list[dict[str, Any]]:
    """One graded row per sample: {problem_id, answer, generated, correct, method}."""
    rows = []
    for sample, raw in zip(samples, answers):
        correct, method = grade_answer(raw, sample["answer"], sample["prompt"], rel_tol)
        rows.append(
            {
                "problem_id": sample["problem_id"],
                "answer": sample["answer"],
                "generated": raw,
                "correct": correct,
                "method": method,
            }
        )
    return rows
