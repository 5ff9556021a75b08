"""sciray.checks: givens from problem text, label recall, answer leaks and the check report."""

from __future__ import annotations

import json

import pytest

from sciray.checks import (
    WEIGHTS,
    Given,
    answer_leak,
    answer_values,
    extract_givens,
    find_numbers,
    label_recall,
    missing_givens,
    run_checks,
    strip_options,
    to_plain,
)
from sciray.types import Problem, Scene, SceneText


def scene(
    *texts: str, kinds: dict[int, str] | None = None, outside=(), overlaps=(), blank=False
) -> Scene:
    kinds = kinds or {}
    return Scene(
        texts=[
            SceneText(text=t, bbox=[10.0 * i, 0.0, 10.0 * i + 8, 8.0], kind=kinds.get(i, "text"))
            for i, t in enumerate(texts)
        ],
        overlaps=[list(p) for p in overlaps],
        outside=list(outside),
        blank=blank,
        size=[640, 480],
    )


def texts(question: str, kind: str | None = None) -> list[str]:
    return [g.text for g in extract_givens(question) if kind is None or g.kind == kind]


def num(text: str) -> Given:
    (found,) = find_numbers(to_plain(text))
    return Given("number", found.text, text, found.value)


def sym(name: str) -> Given:
    return Given("symbol", name, name)


# ---------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, plain",
    [
        (r"$m = 2\,\mathrm{kg}$", "m = 2 kg"),
        (r"$30^\circ$", "30°"),
        (r"$30^{\circ}$", "30°"),
        (r"{eq}34.0^o{/eq}", "34.0°"),
        ("30º", "30°"),
        (r"$\frac{1}{2}$", "1/2"),
        (r"\dfrac ms", "m/s"),
        (r"$R_1$", "R_1"),
        (r"$R_{12}$", "R_12"),
        ("R₁", "R_1"),
        ("m/s²", "m/s^2"),
        ("10⁻³", "10^-3"),
        ("½", "1/2"),
        (r"$\lambda_{0}$", "λ_0"),
        (r"\text{ m/s}", "m/s"),
        (r"$3 \times 10^{8}$", "3 × 10^8"),
        (r"$S^{\prime}$", "S'"),
        ("−5", "-5"),
        ("#4 kg#", "4 kg"),
        (r"$A B$ 两端", "AB 两端"),
    ],
)
def test_to_plain(source, plain):
    assert to_plain(source).strip() == plain


@pytest.mark.parametrize(
    "text, values",
    [
        ("3 × 10^8", [3e8]),
        (r"3 \times 10^{8}", [3e8]),
        ("3e8", [3e8]),
        ("3×10⁸", [3e8]),
        (r"{eq}1.25 ~x~ 10^{25}{/eq}", [1.25e25]),
        (r"4.47 \times 10^{-5}", [4.47e-5]),
        ("10^{-3} m", [1e-3]),
        ("1.598e-9 N", [1.598e-9]),
        ("1/2", [0.5]),
        ("15/8", [1.875]),
        ("$9,200 and 1,000,000", [9200, 1e6]),
        (".5", [0.5]),
        ("at -10.0°C", [-10]),
        ("(-7, -2)", [-7, -2]),
        ("x-1 and 2-3", [1, 2, 3]),  # subtraction and range: no negatives
        ("3x^2 - x - 1", [3, 1]),  # the exponent 2 is no value
        ("0.34 kg m^2 s^-1", [0.34]),
        ("R1, R_1, x2, Cheops5", []),  # identifier parts
        ("3rd and 10th, a 2D plot", []),
        ("2^{10}", [2]),
    ],
)
def test_find_numbers(text, values):
    assert [n.value for n in find_numbers(to_plain(text))] == pytest.approx(values)


def test_number_canonical_text():
    assert [
        n.text
        for n in find_numbers(to_plain(r"240.0 g, 0.02400 M, $3 \times 10^{8}$, \frac{1}{2}, -5"))
    ] == ["240", "0.024", "3e8", "1/2", "-5"]


# ---------------------------------------------------------------------------------------------
# Givens: numbers
# ---------------------------------------------------------------------------------------------


def test_givens_from_latex_with_units_stripped():
    q = r"A block of mass $m = 2.5\,\mathrm{kg}$ slides down a $30^\circ$ incline at $3 \times 10^{8}$ m/s."
    assert texts(q, "number") == ["2.5", "30", "3e8"]
    first = extract_givens(q)[0]
    assert (first.kind, first.text, first.value) == ("number", "2.5", 2.5)
    assert first.raw == "2.5 kg"


def test_fraction_given_keeps_its_text_and_value():
    (g,) = extract_givens(r"The ratio is $\frac{1}{2}$.")
    assert (g.text, g.value) == ("1/2", 0.5)


def test_negative_numbers():
    assert texts("Ice at -10.0°C is heated to $-5^{\\circ}C$; then x - 3 is computed.") == [
        "-10",
        "-5",
        "3",
    ]


def test_subscript_numbers_are_not_values():
    assert texts(r"Resistors $R_1 = 4\,\Omega$ and $R_{2}$ carry current.", "number") == ["4"]


def test_unit_exponents_are_not_values():
    assert texts(r"It accelerates at $9.8\ \mathrm{m/s^2}$ over $5\,\mathrm{m}^{2}$.") == [
        "9.8",
        "5",
    ]


def test_enumeration_markers_are_not_values():
    q = "A car moves at 20 m/s.\n(1) Find the time.\n(2) Find the distance to 300 m.\n1. Draw it.\n2) Label it."
    assert texts(q) == ["20", "300"]
    assert texts("（1）求速度 5 m/s；（2）求时间") == ["5"]


def test_figure_and_exercise_references_are_not_values():
    assert texts("As illustrated in Fig. 8.1, the field is 3.2 mT (see Table 2, Eq. (3)).") == [
        "3.2"
    ]
    assert texts("如习题 7-55 图所示，电压为 12 V") == ["12"]


def test_years_are_not_values():
    assert texts(
        "In 1905 Einstein found that a 2 kg mass ... On May 31, 2013 the balance was $2000."
    ) == ["2", "31", "2000"]
    assert texts("A tank holds 2000 kg of water.") == ["2000"]


def test_duplicates_are_dropped():
    assert texts("A 2 kg block hits a 2.0 kg block; each is 2 m wide, 5 m apart.") == ["2", "5"]


def test_options_appended_inline_are_dropped():
    q = "What is the net force on the 2 kg block pulled with 7 N?  A. 5 N  B. 10 N  C. 15 N  D. 20 N"
    assert texts(q) == ["2", "7"]


def test_options_on_lines_are_dropped():
    q = (
        "An object 4.0 cm tall stands 8.0 cm from a mirror. Where is the image?"
        "\n\nA) 40.0 cm\n\nB) 10.0 cm\n\nC) 18.0 cm"
    )
    assert texts(q) == ["4", "8"]
    assert strip_options(q).rstrip().endswith("Where is the image?")
    q2 = "How many?\noptions:\na). n_i=2; n_f=5\nb). n_i=5; n_f=3"
    assert texts(q2) == []


def test_sub_questions_are_not_options():
    q = "A lens has d = 4 cm.\n\na) Simplify the expression for f.\n\nb) If x = 2, calculate f."
    assert texts(q) == ["4", "2"]


def test_asymptote_code_is_ignored():
    q = "Paths go from point $A$ to point $B$ on a 5 by 10 grid.\n[asy]size(300); draw((0,0)--(20,5));[/asy]"
    assert texts(q) == ["5", "10", "A", "B"]


# ---------------------------------------------------------------------------------------------
# Givens: symbols
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "question, names",
    [
        ("In triangle ABC, AB = 5.", ["A", "B", "C"]),
        ("Let point P lie inside the square.", ["P"]),
        ("Points A, B and C are collinear.", ["A", "B", "C"]),
        ("The segment AB is bisected at its midpoint M.", ["A", "B", "M"]),
        ("Find ∠ABC.", ["A", "B", "C"]),
        (r"Find $\angle PQR$ in $\triangle PQR$.", ["P", "Q", "R"]),
        ("Prism ABC-A_1B_1C_1 is right.", ["A", "B", "C", "A1", "B1", "C1"]),
        ("The radius OA of circle O is 3.", ["O", "A"]),
        ("A block slides on a rough plane. I know the answer is 3.", []),  # articles and pronouns
        ("A uniform sphere of radius R rests on the floor.", []),  # "radius R" is a quantity
        (r"Resistors $R_1$, $R_{2}$ and $m_2$, charge $q_1$.", ["R1", "R2", "m2", "q1"]),
        ("Resistors R₁ and R₂ are in series.", ["R1", "R2"]),
        (r"Wavelength $\lambda_0$ in vacuum, $\varepsilon_0$ is the permittivity.", ["λ0"]),
        (r"Ethanol {eq}\rm C_2H_5OH{/eq} and {eq}K_2Cr_2O_7{/eq} react.", []),  # chemical formulas
        ("How many moles of O_2 react with H_2?", []),
        ("细金属棒 $A B$ 以速度 $v$ 运动，观察者在 $P$ 点", ["A", "B", "P"]),
        (r"$OAB$ is a ray through origin $O$.", ["O", "A", "B"]),
    ],
)
def test_symbol_givens(question, names):
    assert texts(question, "symbol") == names


# ---------------------------------------------------------------------------------------------
# Label recall
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "given, label",
    [
        ("2.5", "2.50 kg"),
        ("2.5", r"$m = 2.5\,\mathrm{kg}$"),
        (r"$30^\circ$", "30°"),
        ("30°", r"$\theta = 30^{\circ}$"),
        (r"$3 \times 10^8$", "3×10^8 m/s"),
        (r"$3 \times 10^8$", r"$c = 3 \times 10^{8}$"),
        (r"$3 \times 10^8$", "3e8"),
        (r"$3 \times 10^8$", "3.0×10⁸"),
        (r"$\frac{1}{2}$", "0.5"),
        ("0.5", r"$\frac{1}{2}$"),
        ("1/3", "0.333"),  # display rounding with enough digits
        ("9.81", "9.8 m/s²"),
        ("-5", "5 m/s"),  # a drawn magnitude
        ("4,000", "4000 N"),
        ("12", "(12, 0)"),
    ],
)
def test_number_label_matches(given, label):
    g = num(given)
    assert label_recall([g], scene(label)) == 1.0


@pytest.mark.parametrize(
    "given, label",
    [
        ("5", "15"),
        ("5", "0.5"),
        ("5", "R5"),  # an identifier, not a value
        ("5", "$R_5$"),
        ("2", "m/s^2"),  # an exponent
        ("2.5", "3"),  # too coarse to stand for 2.5
        ("12.4", "12"),
        ("3e8", "3"),
    ],
)
def test_number_label_mismatches(given, label):
    assert label_recall([num(given)], scene(label)) == 0.0


@pytest.mark.parametrize(
    "name, label",
    [
        ("R1", "$R_1$"),
        ("R1", "R₁"),
        ("R1", "R1 = 4 Ω"),
        ("R1", "$R_{1}$"),
        ("A", "A"),
        ("A", "$A$"),
        ("A", "A(0, 3)"),
        ("λ0", r"$\lambda_0$"),
        ("A1", "$A_1$"),
        ("P", "点P"),
    ],
)
def test_symbol_label_matches(name, label):
    assert label_recall([sym(name)], scene(label)) == 1.0


@pytest.mark.parametrize(
    "name, label",
    [
        ("A", "AB"),
        ("A", "a"),
        ("A", "2A"),
        ("R1", "R12"),
        ("R1", "R"),
        ("B", r"$\triangle ABC$"),
    ],
)
def test_symbol_label_mismatches(name, label):
    assert label_recall([sym(name)], scene(label)) == 0.0


def test_ticks_and_outside_texts_do_not_count():
    givens = [num("2.5"), num("30"), sym("A")]
    s = scene("2.5", "30°", "A", kinds={0: "tick"}, outside=[1])
    assert label_recall(givens, s) == pytest.approx(1 / 3)
    assert [g.text for g in missing_givens(givens, s)] == ["2.5", "30"]
    assert label_recall(givens, scene("2.5", kinds={0: "axis_label"})) == pytest.approx(1 / 3)


def test_label_recall_none_without_givens_and_zero_without_scene():
    assert label_recall([], scene("anything")) is None
    assert label_recall([num("2")], None) == 0.0
    assert missing_givens([num("2")], scene()) == [num("2")]


def test_a_bare_zero_is_stated_but_not_asked_of_the_drawing():
    """Seed 30: "the region ... between y = x and x = 0 with y >= 0" failed label recall for
    its 0s; a bound at 0 is the axes' or the shape's, and a figure writes no "0" for it. A zero
    with a unit is a value like any other, and a stated 0 is never a leaked answer."""
    region = "The solid between y = x and x = 0 with y >= 0, below z = 4."
    givens = extract_givens(region)
    assert [(g.text, g.labelled) for g in givens] == [("0", False), ("4", True)]
    assert label_recall(givens, scene("4")) == 1.0 and missing_givens(givens, scene()) == givens[1:]
    assert label_recall(givens[:1], scene("x")) is None  # nothing a figure should write
    problem = Problem(id="p", question=region)
    assert run_checks(problem, scene("4"), rendered=True).label_recall == 1.0
    assert run_checks(problem, scene("y"), rendered=True).label_recall == 0.0
    question = region + " At t = 0 s the temperature is 0 °C."
    givens = extract_givens(question)
    assert [(g.raw, g.labelled) for g in givens] == [("0 s", True), ("4", True)]
    assert [g.text for g in missing_givens(givens, scene("4"))] == ["0"]
    assert answer_leak("0", givens, scene("0")) is None


# ---------------------------------------------------------------------------------------------
# Answer leak
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "answer, values",
    [
        ("12 N", [12]),
        (r"$\frac{5}{2}$", [2.5]),
        ("x = 3", [3]),
        ("C", []),
        ("(b)", []),
        ("zero", []),
        (r"$2.22 \times 10^{3} \mathrm{~N}$", [2220]),
        ("The final answer is long. " * 10 + r"So \boxed{42}.", [42]),
        ("This explanation is long and mentions 3 things and 5 others " * 3, []),
        (r"$8 m_{0} a$", []),  # a formula, not a value
        (r"$\frac{1}{\ln(a)}$", []),
        ("-7i(x-3h)+7ih(y-4)+2h(z-7i)=0", []),
        ("B板上的感应电荷为 $-1.0 \\times 10^{-7}\\,\\mathrm{C}$", [-1e-7]),
        ("0.34kgm^2s^-1", [0.34]),
    ],
)
def test_answer_values(answer, values):
    assert [v.value for v in answer_values(answer)] == pytest.approx(values)


def test_answer_leak():
    givens = extract_givens("A 4 kg box is pushed with 3 m/s^2.")
    assert answer_leak("12 N", givens, scene("F = 12 N")) == "12"
    assert answer_leak("12 N", givens, scene("F = ?", "4 kg")) is None
    assert answer_leak("12 N", givens, scene("12", kinds={0: "tick"})) is None
    assert answer_leak("12 N", givens, scene("12 N", outside=[0])) is None
    assert answer_leak("12 N", givens, scene("120 N", "1.2")) is None  # whole numbers only
    assert answer_leak("4 kg", givens, scene("4 kg")) is None  # the answer is also a given
    assert answer_leak("B", givens, scene("B")) is None
    assert answer_leak(r"$\frac{5}{2}$", [], scene("2.5 m")) == "5/2"
    assert answer_leak("7.214 cm", [], scene("7.21 cm")) == "7.214"
    assert answer_leak(None, givens, scene("12")) is None


# ---------------------------------------------------------------------------------------------
# run_checks
# ---------------------------------------------------------------------------------------------

PROBLEM = Problem(
    id="p1",
    question=r"A block of mass $m = 2.5\,\mathrm{kg}$ on a $30^\circ$ incline is pulled by $R_1$. Find the force.",
    answer="12 N",
)


def test_weights_sum_to_one_and_are_ordered():
    assert sum(WEIGHTS.values()) == pytest.approx(1.0)
    order = [
        "rendered",
        "not_blank",
        "label_recall",
        "no_answer_leak",
        "no_overlaps",
        "inside_canvas",
    ]
    assert [WEIGHTS[k] for k in order] == sorted(WEIGHTS.values(), reverse=True)


def test_good_candidate_passes():
    report = run_checks(PROBLEM, scene("m = 2.5 kg", "30°", "$R_1$", "F"), rendered=True)
    assert report.passed and report.reasons == [] and report.score == pytest.approx(1.0)
    assert report.scores == {
        "rendered": 1.0,
        "not_blank": 1.0,
        "label_recall": 1.0,
        "no_overlaps": 1.0,
        "inside_canvas": 1.0,
        "no_answer_leak": 1.0,
    }
    assert report.label_recall == 1.0 and report.missing == [] and report.leak is None


def test_not_rendered_fails_everything():
    report = run_checks(PROBLEM, None, rendered=False)
    assert not report.passed and report.score == 0.0
    assert set(report.scores.values()) == {0.0} and report.label_recall == 0.0
    assert report.reasons == ["image did not render"]


def test_missing_givens_and_leak_fail_with_reasons():
    report = run_checks(PROBLEM, scene("m = 2.50 kg", "F = 12 N"), rendered=True)
    assert not report.passed
    assert report.label_recall == pytest.approx(1 / 3)
    assert "missing given values: 30, R1" in report.reasons
    assert any(r.startswith("answer 12 drawn in the image") for r in report.reasons)
    assert report.scores["no_answer_leak"] == 0.0 and report.leak == "12"


def test_blank_image_fails():
    report = run_checks(PROBLEM, scene("m = 2.5 kg", "30°", "R1", blank=True), rendered=True)
    assert not report.passed and "image is blank" in report.reasons


def test_overlaps_and_outside_lower_the_score_but_do_not_fail():
    clean = run_checks(PROBLEM, scene("2.5 kg", "30°", "R1", "x"), rendered=True)
    messy = run_checks(
        PROBLEM,
        scene("2.5 kg", "30°", "R1", "x", overlaps=[(0, 1), (1, 2)], outside=[3]),
        rendered=True,
    )
    assert messy.passed and messy.score < clean.score
    assert (
        "2 overlapping label pairs" in messy.reasons
        and "1 label outside the canvas" in messy.reasons
    )
    assert messy.scores["no_overlaps"] == 0.0 and messy.scores["inside_canvas"] == 0.0


def test_recall_threshold_and_no_givens():
    partial = scene("2.5 kg", "30°")  # 2 of 3 givens
    assert not run_checks(PROBLEM, partial, rendered=True).passed
    assert run_checks(PROBLEM, partial, rendered=True, min_label_recall=0.6).passed
    no_givens = Problem(
        id="p2", question="Sketch the orbital diagram of sulfur.", answer="see image"
    )
    report = run_checks(no_givens, scene("S"), rendered=True)
    assert report.label_recall is None and "label_recall" not in report.scores
    assert report.passed and report.score == pytest.approx(1.0)


def test_score_ranks_rendered_over_everything_else():
    worst_rendered = run_checks(
        PROBLEM, scene("F = 12 N", blank=True, overlaps=[(0, 0)], outside=[0]), rendered=True
    )
    assert worst_rendered.score > run_checks(PROBLEM, None, rendered=False).score
    leaky = run_checks(PROBLEM, scene("2.5 kg", "30°", "R1", "12 N"), rendered=True)
    forgetful = run_checks(PROBLEM, scene("F"), rendered=True)
    assert forgetful.score < leaky.score  # all of recall weighs more than a leak...
    assert not leaky.passed  # ...but a leak still fails the candidate


# ---------------------------------------------------------------------------------------------
# Real SciGenBench / SeePhys problems
# ---------------------------------------------------------------------------------------------


def _rows(path) -> list[dict]:
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def _quizzes_ok(row: dict) -> bool:
    quizzes = row.get("quizzes")
    return isinstance(quizzes, list) and all(
        isinstance(q, dict)
        and isinstance(q.get("options"), dict)
        and str(q.get("correct_option", "")).strip() in q["options"]
        for q in quizzes
    )


def test_real_questions_give_givens(scigen_dir):
    rows = [r for r in _rows(scigen_dir / "scigen.jsonl") if _quizzes_ok(r)][:40]
    assert len(rows) == 40
    found = {r["id"]: extract_givens(r["question"]) for r in rows}
    for rid, givens in list(found.items())[:5]:
        print(rid, [g.text for g in givens])
    assert all(isinstance(g, Given) for gs in found.values() for g in gs)
    share = sum(bool(gs) for gs in found.values()) / len(found)
    assert share >= 0.6, share


@pytest.mark.parametrize(
    "file, rid, expected",
    [
        ("scigen", "webinstruct-559670", ["4.2", "426", "47", "19"]),
        ("scigen", "webinstruct-1123305", ["240", "34", "0.12", "790", "32"]),  # 34.0^o, 240.0 g
        ("scigen", "webinstruct-1090988", ["632", "474", "4.47e-5", "1.7"]),
        ("scigen", "webinstruct-601541", ["4", "8", "10"]),  # options A-E dropped
        ("scigen", "webinstruct-1064264", ["150", "89", "-5"]),
        (
            "scigen",
            "amthinking-174504",
            ["5", "10", "4", "3", "7", "2", "1", "A", "B"],
        ),  # [asy] dropped
        ("seephys", "1827", ["10", "150", "45", "A", "B", "C", "D"]),
        ("seephys", "1995", ["m1", "m2", "μ1", "μ2"]),
        ("seephys", "1919", ["3.4e7", "3.2", "30"]),  # Fig. 8.1 dropped
        ("seephys", "421", ["2040", "3", "0.2", "4", "A"]),  # 习题 11－37 图 dropped
    ],
)
def test_real_questions_exact_givens(scigen_dir, file, rid, expected):
    row = next(r for r in _rows(scigen_dir / f"{file}.jsonl") if str(r["id"]) == rid)
    assert texts(row["question"]) == expected


def test_a_drawn_scene_may_show_only_stated_values():
    """``stated_only`` (scene mode): a number no sentence of the problem states fails the
    checks and is named for the repair; stated ones, subscripts and names do not."""
    question = "CH4 + 2 O2 -> CO2 + 2 H2O. How many grams of water form from 16.0 g of CH4?"
    drawn = scene("$\\mathrm{CH_{4}}$", "16.0 g", "2$\\mathrm{O_{2}}$", "0.0 kg", "R1")
    problem = Problem(id="p", question=question)
    report = run_checks(problem, drawn, rendered=True, stated_only=True)
    assert not report.passed and report.scores["stated_values_only"] == 0.0
    assert report.reasons == ["values the problem does not state: 0 (in '0.0 kg')"]
    clean = scene("$\\mathrm{CH_{4}}$", "16.0 g", "2$\\mathrm{O_{2}}$")
    assert run_checks(problem, clean, rendered=True, stated_only=True).passed
    # code mode keeps its checks as they were
    assert "stated_values_only" not in run_checks(problem, drawn, rendered=True).scores


def test_a_long_thin_strip_is_no_figure():
    """Seed 33: a code picture 482 x 17628 px (labels strewn down a strip) passed every check."""
    problem = Problem(id="p", question="Two plates 4 mm apart, area 100 cm^2.")
    strip = Scene(texts=[SceneText(text="4 mm", bbox=[10, 10, 40, 20]),
                         SceneText(text="100 cm^2", bbox=[10, 900, 70, 910])],
                  size=[482, 17628])  # fmt: skip
    report = run_checks(problem, strip, rendered=True)
    assert not report.passed and report.scores["not_blank"] == 0.0
    assert "482 x 17628 px" in report.reasons[0]
    wide = strip.model_copy(update={"size": [900, 400]})
    assert run_checks(problem, wide, rendered=True).passed
