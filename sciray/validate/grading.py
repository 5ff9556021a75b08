"""Reading the option a model chose out of its free-text answer (pure, deterministic).

``extract_letter`` tries, in order, and stops at the first rule that asserts something:

1. the whole answer is one letter: ``B``, ``(B)``, ``**B**``, ``B.``, ``[b]``;
2. ``\\boxed{B}``;
3. "final answer: B";
4. answer phrases: ``Answer: B``, ``the answer is (b)``, ``option C``, ``I choose B``, ``it's D``,
   ``答案是B``, ``选B``;
5. a leading letter with a delimiter: ``B. 30 N``, ``(C) because ...``;
6. an option's text instead of its letter (exact after normalisation, else the only option text
   found in the answer);
7. in a short answer (at most ``SHORT_WORDS`` words), the only option letter standing alone
   (``I believe C is right``).

A rule that finds two different letters (``A or B``, ``Answer: A ... Answer: B``) makes the answer
ambiguous: ``None``, and later rules are not tried. ``<think>...</think>`` is dropped first. A bare
lowercase letter counts only when nothing word-like follows it ("the answer is a force" is not A),
and a bare ``A`` or ``I`` followed by a lowercase word is read as English, not as an option.
"""

from __future__ import annotations

import re
import unicodedata

from sciray.types import Quiz, QuizAnswer

SHORT_WORDS = 25
"""Rule 7 (a lone option letter anywhere) applies only to answers of at most this many words."""

_THINK_BLOCK = re.compile(r"<think>.*?</think>", re.S | re.I)
_CONNECT = re.compile(r"\s*(?:/|&|\bor\b|\band\b|或|和|、)\s*", re.I)
_SKIP_WORDS = re.compile(r"\s*(?:option|choice|letter|答案|选项)\s*[:：]?\s*", re.I)
_FOLLOW_OK = {
    "because",
    "since",
    "as",
    "or",
    "and",
    "is",
    "which",
    "that",
    "given",
    "based",
    "from",
    "per",
    "according",
    "due",
    "here",
    "would",
    "should",
    "seems",
    "appears",
}
_ANSWER_PHRASES = [
    r"(?:the\s+)?(?:correct|right|best|most\s+likely|likely|final)?\s*(?:answer|option|choice)"
    r"\s*(?:would\s+be|should\s+be|must\s+be|is|=|:|-|\bwill\s+be)?",
    r"\bi\s*(?:would|will|'d|'ll)?\s*(?:choose|pick|select|go\s+with|answer)",
    r"\b(?:it|that)\s*(?:'s|’s|\s+is|\s+must\s+be|\s+should\s+be)",
    r"\b(?:select|choose|pick)",
    r"(?:正确答案|正确选项|答案|选项)\s*(?:应该|应)?\s*(?:是|为|選|选)?\s*[:：]?",
    r"(?:应该|应)?(?:选择|选|選)\s*[:：]?",
]
_PHRASE = re.compile("|".join(f"(?:{p})" for p in _ANSWER_PHRASES), re.I)
_FINAL = re.compile(r"final\s+answer\s*(?:is|=|:|-)?|最终答案\s*(?:是|为)?\s*[:：]?", re.I)
_BOXED = re.compile(r"\\boxed\s*\{((?:[^{}]|\{[^{}]*\})*)\}")


def clean_answer(raw: str) -> str:
    """NFKC (full-width letters and colons), think blocks and markdown emphasis removed."""
    text = unicodedata.normalize("NFKC", raw)
    if re.search(r"</think>", text, re.I):
        text = re.split(r"</think>", text, flags=re.I)[-1]
    text = _THINK_BLOCK.sub(" ", text)
    text = re.sub(r"<think>.*", " ", text, flags=re.S | re.I)  # unclosed: all of it is thinking
    text = re.sub(r"[*_`#]+", "", text)
    text = re.sub(r"\\(?:text|mathrm|mathbf|textbf)\s*\{([^{}]*)\}", r"\1", text)
    return text.replace("$", "").strip()


def _letter_token(s: str, pos: int, keys: dict[str, str], lead: bool) -> tuple[str, int] | None:
    """One option letter at ``s[pos]`` (bracketed or bare) and the position after it."""
    m = re.compile(r"[(\[{]\s*([A-Za-z])\s*[)\]}]").match(s, pos)
    if m:
        letter = m.group(1).upper()
        return (keys[letter], m.end()) if letter in keys else None
    if pos >= len(s) or not ("A" <= s[pos].upper() <= "Z") or not s[pos].isascii():
        return None
    end = pos + 1
    if end < len(s) and (s[end].isalnum() or s[end] in "'’"):
        return None  # part of a word ("Apple", "a1", "I'm")
    ch = s[pos]
    if ch.upper() not in keys:
        return None
    nxt = re.compile(r"\s*([A-Za-z]+)").match(s, end)
    word = nxt.group(1) if nxt else None
    direct = re.compile(r"\s*(?:$|[.,;:!?)\]}\"'\n。，；：-])").match(s, end) is not None
    if lead and not direct and not (word and word.lower() in ("or", "and")):
        return None
    if ch.islower() and not direct and not (word and word.lower() in _FOLLOW_OK):
        return None  # "the answer is a force ..."
    if ch in "AI" and word and word[0].islower() and word.lower() not in _FOLLOW_OK and not direct:
        return None  # "A ball ...", "I think ..."
    return keys[ch.upper()], end


def _read_letters(s: str, pos: int, keys: dict[str, str], lead: bool = False) -> list[str]:
    """The letters asserted at ``s[pos]``: one, or a list joined by or/and/commas."""
    skip = re.compile(r"[\s:=\-\"'“”‘’]*")
    pos = skip.match(s, pos).end()
    m = _SKIP_WORDS.match(s, pos)
    if m:
        pos = skip.match(s, m.end()).end()
    first = _letter_token(s, pos, keys, lead)
    if first is None:
        return []
    letters, pos = [first[0]], first[1]
    while True:
        c = _CONNECT.match(s, pos)
        if not c or c.end() == pos:
            break
        p = c.end()
        w = _SKIP_WORDS.match(s, p)
        if w:
            p = w.end()
        nxt = _letter_token(s, p, keys, False)
        if nxt is None:
            break
        letters.append(nxt[0])
        pos = nxt[1]
    return letters


def _decide(found: list[str]) -> tuple[bool, str | None]:
    """(rule fired, letter or None when ambiguous)."""
    distinct = list(dict.fromkeys(found))
    if not distinct:
        return False, None
    return True, distinct[0] if len(distinct) == 1 else None


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"\\(?:text|mathrm|mathbf)\s*\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"[$\\{}*_`]", "", text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" .;:,!\"'")


def _by_option_text(text: str, options: dict[str, str]) -> tuple[bool, str | None]:
    norms = {k: _norm(v) for k, v in options.items()}
    norms = {k: v for k, v in norms.items() if v}
    whole = _norm(text)
    tail = _norm(_PHRASE.sub(" ", text, count=1)) if _PHRASE.search(text) else whole
    for candidate in (whole, tail):
        squeezed = candidate.replace(" ", "")
        exact = [k for k, v in norms.items() if v.replace(" ", "") == squeezed]
        if exact:
            return _decide(exact)
    found = []
    for k, v in norms.items():
        if len(v) < 2:
            continue
        if re.search(r"(?<![\w.])" + re.escape(v) + r"(?![\w])", whole):
            found.append(k)
    # an option whose text is inside another found option's text is not a separate claim
    found = [k for k in found if not any(k != o and norms[k] in norms[o] for o in found)]
    return _decide(found)


def extract_letter(raw: str, options: dict[str, str]) -> str | None:
    """The option key ``raw`` chooses, or None when it chooses none or several. Never raises."""
    try:
        return _extract(raw, options)
    except Exception:  # noqa: BLE001 - a grader must never take the run down
        return None


def _extract(raw: str, options: dict[str, str]) -> str | None:
    if not isinstance(raw, str) or not options:
        return None
    keys = {str(k).strip().upper(): k for k in options if len(str(k).strip()) == 1}
    text = clean_answer(raw)
    if not text:
        return None
    # 1. the whole answer is a letter
    m = re.fullmatch(r"[\s\"'“”‘’]*[(\[{]?\s*([A-Za-z])\s*[)\]}]?\s*[.:)。]?[\s\"'“”‘’]*", text)
    if m:
        return keys.get(m.group(1).upper())
    # 2. \boxed{B}
    boxed = [b for b in _BOXED.findall(text)]
    if boxed:
        found = [x for b in boxed for x in _read_letters(re.sub(r"[{}]", "", b).strip(), 0, keys)]
        fired, letter = _decide(found)
        if fired:
            return letter
    # 3. final answer
    found = [x for m in _FINAL.finditer(text) for x in _read_letters(text, m.end(), keys)]
    fired, letter = _decide(found)
    if fired:
        return letter
    # 4. answer phrases
    found = [
        x
        for m in _PHRASE.finditer(text)
        if m.group().strip()
        for x in _read_letters(text, m.end(), keys)
    ]
    fired, letter = _decide(found)
    if fired:
        return letter
    # 5. leading letter with a delimiter
    fired, letter = _decide(_read_letters(text, 0, keys, lead=True))
    if fired:
        return letter
    # 6. an option's text
    fired, letter = _by_option_text(text, options)
    if fired:
        return letter
    # 7. a lone option letter in a short answer
    if len(text.split()) <= SHORT_WORDS:
        found = []
        for m in re.finditer(r"(?<![A-Za-z0-9'’])[A-Za-z](?![A-Za-z0-9'’])", text):
            if m.group().isupper():
                tok = _letter_token(text, m.start(), keys, False)
                if tok:
                    found.append(tok[0])
        fired, letter = _decide(found)
        if fired:
            return letter
    return None


def grade(quiz: Quiz, raw: str | None, index: int = 0, *, error: str | None = None) -> QuizAnswer:
    """``raw`` graded against ``quiz``: status ``ok`` (a letter was read), ``undecided`` (none
    could be read: counts as wrong) or ``error`` (no answer: ``raw`` is None or ``error`` is set;
    counts as wrong)."""
    if raw is None or error is not None:
        return QuizAnswer(index=index, raw=raw, answer=None, correct=False, status="error")
    letter = extract_letter(raw, quiz.options)
    if letter is None:
        return QuizAnswer(index=index, raw=raw, answer=None, correct=False, status="undecided")
    return QuizAnswer(
        index=index, raw=raw, answer=letter, correct=letter == quiz.correct_option, status="ok"
    )
