"""ImgCoder: understand -> plan -> code, render, check, fix, repair, best-of-n.

A plain class (no Ray): ``ImgCoder(cfg, engine, renderer).run(problems)``. Work goes in rounds so
the engine always gets one batch: round 0 asks every (problem, sample) slot for a first answer;
each later round sends one repair per slot that is still failing, until its checks pass or its
attempt budget is spent. A failed render first gets the mechanical fixes (no model call), and so
does a scene that shows a value the problem does not state (the value is cut from its text); a
scene short only of label recall gets ``coder.scene_recall_repairs`` repairs, then is final; an
answer that planned but wrote no code gets one code-only follow-up outside the budget; a repair
that fails exactly like the script it repaired makes the slot start over from the first prompt; a sample
that ends with given values still unlabelled gets them in a "Given:" strip (``givens_legend``). With
a visual critic (``coder.critique_rounds``), a finished problem's best picture is shown to the
validator's vision model, and the quizzes it reads wrongly and the failed checks go back to the
coder for one more revision per round. Every render is kept as a ``Candidate``; the best per
problem is the highest check score.

A round has two halves that need different hardware: ``code_round`` (the engine; GPU) and
``render_round`` (the sandbox; CPU). ``run`` alternates them in one process; the Ray Data
pipeline runs them as separate stages, carrying the serialisable ``CoderResult`` between them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field

from sciray.checks import extract_givens, missing_givens, run_checks
from sciray.coder import prompts
from sciray.coder.fixes import apply_fit_view, apply_givens_legend, error_fixes, static_fixes
from sciray.coder.parse import parse_answer
from sciray.config.models import CoderConfig
from sciray.llm.base import ChatRequest, ChatResult
from sciray.types import Candidate, ImageRef, Plan, Problem, RenderFailure, TokenUsage

log = logging.getLogger(__name__)


class SlotState(BaseModel):
    """One best-of-n sample of one problem, across its attempts."""

    model_config = ConfigDict(extra="forbid")

    sample: int
    attempt: int = 0
    """Model calls made so far for this sample."""
    last: Candidate | None = None
    """The latest candidate that had code (what a repair starts from)."""
    pending: Candidate | None = None
    """A candidate written by the coder and not rendered yet (between the two halves of a round)."""
    plan: Plan | None = None
    """The plan of the latest answer that had a plan but no code (the next request asks for code
    only)."""
    followups: int = 0
    """Code-only follow-ups granted on top of the attempt budget (``coder.plan_followup``)."""
    restarts: int = 0
    """Times the slot started over from the first prompt after a repair repeated its error."""
    fell_back: bool = False
    """``coder.mode=auto``: the scene attempts failed and the slot went on in code mode."""
    picked_domain: str | None = None
    """``coder.mode=scene`` with an image_type no domain takes: the domain the model picked
    (``""``: none fits, the slot writes code); None until it was asked."""
    recall_repairs: int = 0
    """Repairs asked of a scene short only of label recall (``coder.scene_recall_repairs``)."""
    critiques: int = 0
    """Visual critique rounds this sample has had (``coder.critique_rounds``)."""
    critique: str | None = None
    """The visual critic's feedback on ``last``, waiting for the coder's revision."""
    done: bool = False


class CoderResult(BaseModel):
    """Everything ImgCoder did for one problem; JSON-serialisable, so a pipeline can carry it
    between the coder stage (GPU) and the render stage (CPU)."""

    model_config = ConfigDict(extra="forbid")

    problem: Problem
    attempts: list[Candidate] = Field(default_factory=list)
    """Every render (and every unusable answer), in the order they happened."""
    slots: list[SlotState] = Field(default_factory=list)

    @classmethod
    def start(cls, problem: Problem, samples: int) -> CoderResult:
        return cls(problem=problem, slots=[SlotState(sample=s) for s in range(samples)])

    @property
    def done(self) -> bool:
        return all(slot.done for slot in self.slots)

    @property
    def best(self) -> Candidate | None:
        """The highest-scoring candidate that rendered; else the last attempt."""
        rendered = [c for c in self.attempts if c.render_status == "ok"]
        if rendered:
            # at equal scores the model's own diagram wins over one the legend completed, and
            # a revision after the visual critique over the picture it revised
            return max(
                rendered,
                key=lambda c: (
                    c.score or 0.0,
                    c.status == "ok",
                    c.checks.get("stated_values_only", 1.0),
                    "givens_legend" not in c.fixes,
                    c.origin == "critique",
                    -c.attempt,
                ),
            )
        return self.attempts[-1] if self.attempts else None

    @property
    def status(self) -> str:
        best = self.best
        return best.status if best else "no_attempt"

    @property
    def model_calls(self) -> int:
        picks = sum(1 for slot in self.slots if slot.picked_domain is not None)
        return picks + sum(1 for c in self.attempts if c.origin != "fix")


def _same_failure(before: Candidate | None, after: Candidate) -> bool:
    """The repair of ``before`` failed to render exactly as ``before`` did."""
    return (
        before is not None
        and before.render_status not in (None, "ok")
        and after.render_status == before.render_status
        and (after.render_error or "") == (before.render_error or "")
    )


# The checks a scene that is short only of label recall passes: it shows something, states no
# value the problem does not, leaks no answer and contradicts nothing.
_SCENE_TRUTH_CHECKS = ("not_blank", "stated_values_only", "no_answer_leak", "matches_problem")


def _short_of_recall_only(cand: Candidate) -> bool:
    """A rendered scene whose one failed check is label recall (``coder.scene_recall_repairs``)."""
    return (
        cand.language == "scene"
        and cand.status == "checks_failed"
        and all(cand.checks.get(name, 1.0) == 1.0 for name in _SCENE_TRUTH_CHECKS)
    )


def _invalid_scene(cand: Candidate) -> bool:
    return cand.render_failure is not None and cand.render_failure.kind == "invalid_scene"


def _settled_scene(spec, question: str):
    """(``spec`` with what ``question`` states exactly put in place of what the model wrote
    differently, None) or (None, why it is no scene of this problem)."""
    from sciray.coder.scene_prompts import copies_the_example

    spec = spec.aligned_to(question).without_commentary().with_named_notes(question)
    if copies_the_example(spec):
        return None, (
            "invalid scene: this is the worked example's figure, not this problem's: "
            "describe what this problem states"
        )
    return spec, None


class ImgCoder:
    """Turns problems into rendered, checked diagram candidates."""

    def __init__(self, cfg: CoderConfig, engine, renderer, critic=None):
        self.cfg = cfg
        self.engine = engine
        self.renderer = renderer
        self.critic = critic
        """A ``sciray.coder.critic.VisualCritic``; None: no critique rounds."""

    # -- requests -----------------------------------------------------------------------------

    def _first_request(self, problem: Problem, slot: SlotState) -> ChatRequest:
        cfg = self.cfg
        # a restart samples: greedy decoding would write the same failing script again
        temperature = (
            cfg.temperature
            if slot.sample == 0 and slot.attempt == 0
            else max(cfg.sample_temperature, cfg.repair_temperature)
        )
        messages = prompts.first_messages(problem, cfg.language, use_elements=cfg.use_elements)
        return self._ask(problem, slot, messages, temperature)

    def _repair_request(self, problem: Problem, slot: SlotState) -> ChatRequest:
        cfg, last = self.cfg, slot.last
        assert last is not None and last.code
        if last.render_status != "ok":
            error, failed_render = last.render_error or "it drew nothing", True
        else:
            givens = extract_givens(problem.question)
            missing = [g.text for g in missing_givens(givens, last.scene)] if last.scene else []
            error, failed_render = prompts.check_feedback(last.check_reasons, missing), False
        messages = prompts.repair_messages(
            problem, cfg.language, last.code, error, failed_render=failed_render
        )
        return self._ask(problem, slot, messages, cfg.repair_temperature)

    def _ask(
        self,
        problem: Problem,
        slot: SlotState,
        messages,
        temperature: float,
        max_tokens: int | None = None,
        json_schema: dict | None = None,
    ) -> ChatRequest:
        return ChatRequest(
            messages=messages,
            max_tokens=max_tokens or self.cfg.max_tokens,
            temperature=temperature,
            top_p=self.cfg.top_p,
            seed=self._seed(slot),
            request_id=problem.id,
            json_schema=json_schema,
        )

    def _seed(self, slot: SlotState) -> int | None:
        if self.cfg.seed is None:
            return None
        return self.cfg.seed + 1000 * slot.sample + slot.attempt

    def _code_request(self, problem: Problem, slot: SlotState) -> ChatRequest:
        cfg = self.cfg
        messages = prompts.code_messages(
            problem, cfg.language, slot.plan, use_elements=cfg.use_elements
        )
        return self._ask(problem, slot, messages, cfg.repair_temperature)

    def scene_domain(self, problem: Problem, slot: SlotState) -> tuple[bool, str | None]:
        """(does this slot draw a scene, its domain or None for "the model picks"): from
        ``coder.mode``, the problem's image_type and whether the slot fell back to code."""
        mode = self.cfg.mode
        if mode == "code" or slot.fell_back:
            return False, None
        from sciray.scene import route

        domain = route(problem.image_type)
        if domain is not None:
            return True, domain
        if mode == "auto" or slot.picked_domain == "":
            return False, None
        return True, slot.picked_domain  # None: the model picks the domain first

    def _scene_request(self, problem: Problem, slot: SlotState, domain: str | None) -> ChatRequest:
        from sciray.coder import scene_prompts

        cfg, last = self.cfg, slot.last
        if domain is None:  # a short constrained call: which domain, if any
            messages, schema = scene_prompts.pick_messages(problem)
            return self._ask(problem, slot, messages, 0.0, max_tokens=32, json_schema=schema)
        if last is not None and last.code:
            if last.render_status != "ok":
                error, failed = last.render_error or "it drew nothing", True
            else:
                givens = extract_givens(problem.question)
                missing = [g.text for g in missing_givens(givens, last.scene)] if last.scene else []
                error, failed = prompts.check_feedback(last.check_reasons, missing), False
            last_domain = (last.scene_spec or {}).get("domain", domain)
            messages = scene_prompts.repair_messages(
                problem, last_domain, last.code, error, failed_render=failed
            )
            temperature = cfg.repair_temperature
        else:
            messages = scene_prompts.first_messages(problem, domain)
            temperature = (
                cfg.temperature
                if slot.sample == 0 and slot.attempt == 0
                else max(cfg.sample_temperature, cfg.repair_temperature)
            )
        schema = scene_prompts.scene_schema(domain)
        return self._ask(problem, slot, messages, temperature, cfg.scene_max_tokens, schema)

    def _critique_request(self, problem: Problem, slot: SlotState) -> ChatRequest:
        """The revision of ``slot.last`` after the visual critique, in the language it was
        drawn in (a scene stays a scene even where auto mode went on in code)."""
        from sciray.coder import scene_prompts
        from sciray.llm.base import image_data_url

        cfg, last = self.cfg, slot.last
        assert last is not None and last.code and slot.critique
        schema, max_tokens = None, None
        if last.language == "scene":
            domain = (last.scene_spec or {}).get("domain", "")
            messages = scene_prompts.repair_messages(
                problem, domain, last.code, slot.critique, failed_render=False, critique=True
            )
            schema, max_tokens = scene_prompts.scene_schema(domain), cfg.scene_max_tokens
        else:
            messages = prompts.repair_messages(
                problem, last.language, last.code, slot.critique, failed_render=False, critique=True
            )
        if cfg.critique_image and last.image is not None and last.image.bytes:
            text = messages[-1]["content"]
            picture = {"type": "image_url", "image_url": {"url": image_data_url(last.image.bytes)}}
            messages[-1] = {**messages[-1], "content": [picture, {"type": "text", "text": text}]}
        return self._ask(problem, slot, messages, cfg.repair_temperature, max_tokens, schema)

    def request(self, problem: Problem, slot: SlotState) -> ChatRequest:
        """The next model call for ``slot``: first prompt, code-only follow-up or repair (of a
        program, or of a scene in scene mode), or the revision after a visual critique."""
        if slot.critique is not None:
            return self._critique_request(problem, slot)
        scene, domain = self.scene_domain(problem, slot)
        if scene:
            return self._scene_request(problem, slot, domain)
        if slot.last is not None and slot.last.code:
            return self._repair_request(problem, slot)
        if slot.plan is not None:
            return self._code_request(problem, slot)
        return self._first_request(problem, slot)

    # -- one round ----------------------------------------------------------------------------

    def _candidate(self, problem: Problem, slot: SlotState, answer: ChatResult) -> Candidate:
        origin = "first" if slot.attempt == 0 else "repair"
        if slot.attempt == 0 and slot.sample > 0:
            origin = "sample"
        elif slot.attempt > 0 and slot.last is None:
            origin = "restart" if slot.plan is None else "code_only"
        base = dict(
            problem_id=problem.id,
            attempt=slot.attempt,
            sample=slot.sample,
            # no engine here when Ray's LLM processor answered (the split layout's vLLM coder)
            engine=self.engine.name if self.engine is not None else self.cfg.engine,
            model=self.engine.model if self.engine is not None else self.cfg.model,
            prompt_version=prompts.PROMPT_VERSION,
            language=self.cfg.language,
            origin=origin,
            usage=answer.usage,
            finish_reason=answer.finish_reason,
        )
        if slot.critique is not None:
            base.update(origin="critique", critique=slot.critique)
        if answer.status != "ok":
            return Candidate(**base, status="engine_error", raw_text=answer.error)
        scene, domain = self.scene_domain(problem, slot)
        if slot.critique is not None and slot.last is not None:  # revised in its own language
            scene = slot.last.language == "scene"
            domain = (slot.last.scene_spec or {}).get("domain") if scene else None
        if scene:
            return self._scene_candidate(base, answer, domain, problem.question)
        parsed = parse_answer(answer.text, self.cfg.language)
        if parsed.code is None:
            return Candidate(**base, status="no_code", plan=parsed.plan, raw_text=answer.text)
        code, fixes = parsed.code, []
        if self.cfg.mechanical_fixes and self.cfg.language == "python":
            code, fixes = static_fixes(code, "python")
            code, more = apply_fit_view(code)
            fixes += more
        # A truncated answer is still rendered: it may work, and if not the repair sees it.
        return Candidate(
            **base,
            status="pending",
            plan=parsed.plan,
            code=code,
            fixes=fixes,
            raw_text=answer.text if parsed.status != "ok" else None,
        )

    @staticmethod
    def _scene_candidate(
        base: dict, answer: ChatResult, domain: str | None, question: str
    ) -> Candidate:
        """A scene answer: valid, it waits for the scene renderer (with what ``question``
        states exactly put in place of what the model wrote differently); invalid, it has
        already failed (kind ``invalid_scene``) and its repair shows the validation error."""
        from sciray.coder.scene_prompts import SCENE_PROMPT_VERSION, parse_scene_answer

        base = {**base, "language": "scene", "prompt_version": SCENE_PROMPT_VERSION}
        spec, why = parse_scene_answer(answer.text, domain)
        if spec is not None:
            spec, why = _settled_scene(spec, question)
        if spec is None and answer.finish_reason == "length":
            # under a grammar the JSON is only broken where the token limit cut it off
            why = (
                "the scene was cut off at the token limit (coder.scene_max_tokens): describe "
                "the figure with fewer items and shorter labels"
            )
        if spec is None:
            failure = RenderFailure(kind="invalid_scene", message=why or "")
            return Candidate(
                **base,
                status="render_failed",
                code=answer.text.strip()[:8000] or None,
                raw_text=answer.text,
                render_status="error",
                render_error=failure.text,
                render_failure=failure,
            )
        return Candidate(
            **base,
            status="pending",
            code=spec.model_dump_json(exclude_none=True),
            scene_spec=spec.model_dump(mode="json", exclude_none=True),
        )

    def _renderer_for(self, language: str):
        if hasattr(self.renderer, "for_language"):
            return self.renderer.for_language(language)
        return self.renderer

    def _render(self, candidates: list[Candidate]) -> None:
        # a candidate that failed before rendering (an invalid scene) keeps its failure
        todo = [c for c in candidates if c.code and not _invalid_scene(c)]
        for language in dict.fromkeys(c.language for c in todo):
            group = [c for c in todo if c.language == language]
            results = self._renderer_for(language).render_many([c.code for c in group])
            for cand, rendered in zip(group, results):
                self._apply_render(cand, rendered)

    def _apply_render(self, cand: Candidate, rendered) -> None:
        cand.render_status, cand.render_error, cand.render_ms = (
            rendered.status,
            rendered.error,
            rendered.ms,
        )
        cand.render_failure = rendered.failure
        cand.sandbox = list(rendered.sandbox)
        cand.scene = rendered.scene
        cand.image = (
            ImageRef(bytes=rendered.png, path=f"{cand.problem_id}.png") if rendered.png else None
        )

    def _check(self, problem: Problem, cand: Candidate) -> None:
        ok = cand.render_status == "ok"
        spec = None
        if ok and cand.scene_spec is not None:
            from sciray.scene import parse_scene

            spec = parse_scene(cand.scene_spec)
        report = run_checks(
            problem,
            cand.scene if ok else None,
            rendered=ok,
            min_label_recall=self.cfg.min_label_recall,
            stated_only=cand.language == "scene",
            notation=spec.notation() if spec is not None else (),
        )
        cand.checks, cand.check_reasons = dict(report.scores), list(report.reasons)
        cand.label_recall, cand.score = report.label_recall, report.score
        passed = report.passed
        if spec is not None:
            # what the scene states can contradict the problem where no drawn text shows it
            disagree = spec.disagreements(problem.question)
            cand.checks["matches_problem"] = 0.0 if disagree else 1.0
            cand.check_reasons += disagree
            passed = passed and not disagree
        if not ok:
            cand.status = "render_failed"
        else:
            cand.status = "ok" if passed else "checks_failed"

    def _mechanical_fix(
        self, problem: Problem, cand: Candidate, domain: str | None
    ) -> Candidate | None:
        """A re-render after a mechanical fix of the failed code (or scene of routed ``domain``),
        or None when none applies."""
        if not (self.cfg.mechanical_fixes and cand.code and cand.render_status not in (None, "ok")):
            return None
        if cand.render_status in ("violation", "timeout"):
            return None  # not a mechanical mistake
        if _invalid_scene(cand):
            return self._salvaged_scene(problem, cand, domain)
        failure = cand.render_failure or RenderFailure.from_text(
            cand.render_status, cand.render_error or ""
        )
        fixed = error_fixes(cand.code, failure, cand.language)
        if fixed is None or fixed[0] == cand.code:
            return None
        code, names = fixed
        return self._render_fixed(cand, code, names)

    def _salvaged_scene(
        self, problem: Problem, cand: Candidate, domain: str | None
    ) -> Candidate | None:
        """The invalid scene ``cand`` drawn without the items its validation errors point at
        (``sciray.scene.salvage``, fix ``scene_salvage``), or None when that leaves no scene."""
        from sciray.coder.scene_prompts import scene_data
        from sciray.scene.salvage import salvage

        if "scene_salvage" in cand.fixes:
            return None
        raw, _ = scene_data(cand.raw_text or "", domain)
        saved = salvage(raw, problem.question) if raw is not None else None
        spec = _settled_scene(saved[0], problem.question)[0] if saved is not None else None
        if spec is None:
            return None
        # the invalid answer's failure is not the salvaged scene's
        none = dict(render_failure=None, render_error=None, render_status=None)
        return self._render_scene_fix(cand, spec, "scene_salvage", **none)

    def _stated_values_fix(self, problem: Problem, cand: Candidate) -> Candidate | None:
        """A re-render of a scene that failed its checks by showing a value the problem does not
        state (or the answer), with those values cut from its texts (``sciray.scene.values``);
        None when that is not why it failed or nothing can be cut."""
        if not (
            self.cfg.mechanical_fixes
            and cand.language == "scene"
            and cand.status == "checks_failed"
            and cand.scene_spec is not None
            and "stated_values" not in cand.fixes
        ):
            return None
        from sciray.checks.labels import answer_values, find_leak, unstated_numbers
        from sciray.checks.numbers import same_value
        from sciray.scene import parse_scene
        from sciray.scene.values import without_values

        spec = parse_scene(cand.scene_spec)
        notation = spec.notation()
        unstated = {n.text for n, _ in unstated_numbers(problem.question, cand.scene, notation)}
        leak = find_leak(problem.answer, extract_givens(problem.question), cand.scene, notation)
        leaked = [v for v in answer_values(problem.answer) if leak and v.text == leak[0]]
        if not (unstated or leaked):
            return None
        fixed = without_values(
            spec, lambda n: n.text in unstated or any(same_value(v.value, n) for v in leaked)
        )
        if fixed is None:
            return None
        # what the cut leaves is settled again (seen, seed 33: a table of made-up values cut to
        # blank cells, which the plot then drops)
        fixed = _settled_scene(fixed, problem.question)[0] or fixed
        return self._render_scene_fix(cand, fixed, "stated_values")

    def _render_scene_fix(self, cand: Candidate, spec, name: str, **more) -> Candidate:
        """``cand`` as the scene ``spec`` that fix ``name`` made of it, rendered."""
        scene_spec = spec.model_dump(mode="json", exclude_none=True)
        code = spec.model_dump_json(exclude_none=True)
        return self._render_fixed(cand, code, [name], scene_spec=scene_spec, **more)

    def _render_fixed(self, cand: Candidate, code: str, names: list[str], **more) -> Candidate:
        """``cand`` with ``code`` fixed by ``names`` (no model call), rendered."""
        again = cand.model_copy(
            update={
                "code": code,
                "fixes": [*cand.fixes, *names],
                "fixed_by": names[0],
                "origin": "fix",
                "usage": TokenUsage(),
                "status": "pending",
                **more,
            }
        )
        self._render([again])
        return again

    def _givens_legend(self, result: CoderResult) -> Candidate | None:
        """The problem's best rendered diagram re-rendered with the given values it misses written
        under it, or None (not Python, nothing missing, already done, or nothing rendered)."""
        if not (
            self.cfg.givens_legend and self.cfg.mechanical_fixes and self.cfg.language == "python"
        ):
            return None
        best = result.best
        if (
            best is None
            or best.language != "python"
            or best.render_status != "ok"
            or not best.code
            or "givens_legend" in best.fixes
        ):
            return None
        if (
            best.status == "ok"
            or best.label_recall is None
            or best.label_recall >= self.cfg.min_label_recall
        ):
            return None
        givens = extract_givens(result.problem.question)
        missing = [
            g.raw or g.text if g.kind == "number" else g.text
            for g in missing_givens(givens, best.scene)
        ]
        code, names = apply_givens_legend(best.code, missing)
        if not names:
            return None
        return self._render_fixed(best, code, names)

    def code_round(self, results: list[CoderResult]) -> None:
        """Ask the engine (one batch) for the next answer of every active slot; the candidates
        wait in ``slot.pending`` for ``render_round``."""
        active = self.asking(results)
        if not active:
            return
        answers = self.engine.generate([self.request(r.problem, slot) for r, slot in active])
        self.take_answers(active, answers)

    @staticmethod
    def asking(results: list[CoderResult]) -> list[tuple[CoderResult, SlotState]]:
        """The slots waiting for the model's next answer."""
        return [
            (r, slot) for r in results for slot in r.slots if not slot.done and slot.pending is None
        ]

    def take_answers(
        self, asked: list[tuple[CoderResult, SlotState]], answers: list[ChatResult]
    ) -> None:
        """The model's answers to ``asked`` (in order) as candidates waiting to be rendered."""
        for (result, slot), answer in zip(asked, answers, strict=True):
            scene, domain = self.scene_domain(result.problem, slot)
            if scene and domain is None:  # the domain pick: no candidate, the slot asks again
                from sciray.coder.scene_prompts import parse_pick

                slot.picked_domain = parse_pick(answer.text if answer.status == "ok" else "")
                continue
            slot.pending = self._candidate(result.problem, slot, answer)

    def render_round(self, results: list[CoderResult]) -> None:
        """Render every pending candidate (one batch), check it, try mechanical fixes, and decide
        whether its slot is done; a problem finished without a passing diagram gets the legend."""
        pending = [(r, slot) for r in results for slot in r.slots if slot.pending is not None]
        finishing = {id(r) for r, _ in pending}
        self._render([slot.pending for _, slot in pending])
        for result, slot in pending:
            cand, slot.pending = slot.pending, None
            problem = result.problem
            if cand.code:
                self._check(problem, cand)
            result.attempts.append(cand)
            final = cand
            domain = self.scene_domain(problem, slot)[1]
            for _ in range(3):  # mechanical fixes can chain (e.g. 3-D axes, then a format string)
                fixed = self._mechanical_fix(problem, final, domain)
                if fixed is None:
                    break
                self._check(problem, fixed)
                result.attempts.append(fixed)
                final = fixed
            cut = self._stated_values_fix(problem, final)
            if cut is not None:
                self._check(problem, cut)
                result.attempts.append(cut)
                final = cut
            self._advance(slot, final)
        self._finish(results, finishing)

    def _advance(self, slot: SlotState, final: Candidate) -> None:
        """Decide what the slot asks next: a repair of ``final``, code for its plan, a fresh start,
        or nothing (passed, or the budget is spent)."""
        cfg, previous = self.cfg, slot.last
        slot.attempt += 1
        if slot.critique is not None:  # the revision after a critique ends its round
            slot.critique, slot.done = None, True
            if final.code:
                slot.last = final
            return
        if final.code:
            slot.last, slot.plan = final, None
            if cfg.restart_on_same_error and _same_failure(previous, final):
                # small models repair by returning the failing script again: start over instead
                slot.last, slot.restarts = None, slot.restarts + 1
        elif prompts.has_plan(final.plan):
            slot.plan = final.plan
            if cfg.plan_followup and slot.followups == 0:
                slot.followups = 1  # the code-only follow-up does not spend an attempt
        settled = final.status == "ok"
        if _short_of_recall_only(final):
            if slot.recall_repairs < cfg.scene_recall_repairs:
                slot.recall_repairs += 1
            else:
                settled = True
        slot.done = (
            settled
            or slot.attempt >= cfg.attempts + slot.followups
            or (final.status == "checks_failed" and not cfg.repair_on_checks)
        )
        scene_failed = cfg.mode == "auto" and final.language == "scene" and not settled
        if scene_failed and (slot.done or slot.attempt >= cfg.auto_scene_attempts):
            # auto: the scene did not pass; the slot goes on as the paper's ImgCoder (code mode)
            slot.fell_back, slot.done = True, False
            slot.attempt, slot.followups, slot.last, slot.plan = 0, 0, None, None

    def _finish(self, results: list[CoderResult], touched: set[int]) -> None:
        for result in results:
            if id(result) in touched and result.done and result.status != "ok":
                legend = self._givens_legend(result)
                if legend is not None:
                    self._check(result.problem, legend)
                    result.attempts.append(legend)
        self._critique([r for r in results if id(r) in touched and r.done])

    def _critique(self, finished: list[CoderResult]) -> None:
        """Show each finished problem's best picture to the visual critic (one batch); where a
        reader misreads it, its sample reopens for one revision with that feedback."""
        rounds = self.cfg.critique_rounds or 0
        if self.critic is None or rounds == 0:
            return
        todo = []
        for result in finished:
            best = result.best
            if best is None or best.render_status != "ok" or not best.code:
                continue
            slot = next((s for s in result.slots if s.sample == best.sample), None)
            if slot is not None and slot.critiques < rounds:
                todo.append((result, slot, best))
        if not todo:
            return
        feedback = self.critic.critique([(r.problem, best) for r, _, best in todo])
        for (_, slot, best), text in zip(todo, feedback, strict=True):
            slot.critiques += 1
            if text:
                slot.critique, slot.last, slot.done = text, best, False

    def run(
        self,
        problems: list[Problem],
        on_done: Callable[[CoderResult, float], None] | None = None,
    ) -> list[CoderResult]:
        """Code and render every problem; ``on_done(result, seconds)`` is called once per problem
        as it finishes (``seconds``: the rounds it took part in), for live progress."""
        results = [CoderResult.start(p, self.cfg.samples) for p in problems]
        reported: set[int] = set()
        spent = dict.fromkeys(map(id, results), 0.0)
        while not all(r.done for r in results):
            started = time.monotonic()
            self.code_round(results)
            self.render_round(results)
            took = time.monotonic() - started
            for result in results:
                if id(result) not in reported:
                    spent[id(result)] += took
                    if result.done:
                        reported.add(id(result))
                        if on_done is not None:
                            on_done(result, spent[id(result)])
        return results
