"""Standard image metrics (sciray.metrics): PSNR / SSIM against scikit-image on real SeePhys
figures, CLIP score through a tiny random CLIP saved locally, FID with a tiny feature extractor,
bad inputs, and batched == one-at-a-time."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("torchmetrics")

from sciray.config.models import MetricsConfig
from sciray.errors import UserError
from sciray.metrics import NO_CLIP_MODEL, PSNR_CAP_DB, ImageMetrics, MetricPair, load_rgb
from sciray.metrics.tiny import build_tiny_clip, tiny_fid_features

SIZE = 64  # small images keep the tests fast; the scikit-image comparison uses the default 256


def _png(arr: np.ndarray) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format="PNG")
    return buf.getvalue()


def _perturb(ref: np.ndarray, kind: int, rng: np.random.Generator) -> np.ndarray:
    from PIL import Image, ImageFilter

    if kind == 0:  # Gaussian noise
        return np.clip(ref.astype(np.int16) + rng.normal(0, 20, ref.shape).round(), 0, 255).astype(
            np.uint8
        )
    if kind == 1:  # blur
        return np.asarray(Image.fromarray(ref).filter(ImageFilter.GaussianBlur(1.5)))
    shifted = np.full_like(ref, 255)  # shifted by (3, 2) px on a white background
    shifted[3:, 2:] = ref[:-3, :-2]
    return shifted


@pytest.fixture(scope="module")
def seephys(scigen_dir):
    """(id, reference path, question) for the first SeePhys problems that have a figure."""
    rows = []
    with open(scigen_dir / "seephys.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            path = scigen_dir / "seephys_images" / f"{row['id']}.png"
            if path.is_file():
                rows.append((str(row["id"]), path, row["question"]))
            if len(rows) == 12:
                break
    assert len(rows) == 12
    return rows


def _pairs(seephys, size, n, seed=0):
    """Real references paired with perturbed copies (noise / blur / shift) as 'generated' PNGs."""
    rng = np.random.default_rng(seed)
    pairs, arrays = [], {}
    for k, (pid, path, question) in enumerate(seephys[:n]):
        ref, why = load_rgb(path, size)
        assert why is None
        gen = _perturb(ref, k % 3, rng)
        pairs.append(MetricPair(id=pid, image=_png(gen), reference=path, text=question))
        arrays[pid] = (gen, ref)
    return pairs, arrays


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory):
    return build_tiny_clip(tmp_path_factory.mktemp("tiny-clip"))


# -- load_rgb ---------------------------------------------------------------------------------
def test_load_rgb_composites_transparency_on_white_and_resizes(tmp_path):
    from PIL import Image

    rgba = np.zeros((10, 20, 4), dtype=np.uint8)
    rgba[:, :10] = (255, 0, 0, 255)  # opaque red left half, fully transparent right half
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, format="PNG")
    arr, why = load_rgb(buf.getvalue(), 32)
    assert why is None and arr.shape == (32, 32, 3) and arr.dtype == np.uint8
    assert tuple(arr[16, 2]) == (255, 0, 0) and tuple(arr[16, 30]) == (255, 255, 255)
    path = tmp_path / "x.jpg"
    Image.fromarray(np.full((8, 8, 3), 40, np.uint8)).save(path)
    for source in (path, str(path)):
        arr, why = load_rgb(source, 16)
        assert why is None and arr.shape == (16, 16, 3)


@pytest.mark.parametrize(
    "bad, expected",
    [
        (b"\x89PNG\r\n\x1a\n garbage", "cannot decode"),
        (b"", "empty"),
        (None, "no image"),
        ("/nonexistent/figure.png", "file not found"),
    ],
)
def test_load_rgb_never_raises(bad, expected):
    arr, why = load_rgb(bad, 32)
    assert arr is None and expected in why


def test_load_rgb_truncated_png(seephys):
    raw = seephys[0][1].read_bytes()
    arr, why = load_rgb(raw[: len(raw) // 2], 32)
    assert arr is None and why.startswith("cannot decode")


# -- PSNR / SSIM --------------------------------------------------------------------------------
def test_psnr_ssim_agree_with_scikit_image_on_real_seephys_pairs(seephys):
    from skimage.metrics import peak_signal_noise_ratio, structural_similarity

    size = 256  # the default metrics.size
    pairs, arrays = _pairs(seephys, size, 9)
    result = ImageMetrics(MetricsConfig(size=size, batch_size=4)).compute(pairs)
    assert not result.missing and len(result.per_image) == 9
    for pid, (gen, ref) in arrays.items():
        a, b = gen / 255.0, ref / 255.0
        psnr = peak_signal_noise_ratio(b, a, data_range=1.0)
        ssim = structural_similarity(
            b,
            a,
            channel_axis=-1,
            data_range=1.0,
            gaussian_weights=True,
            sigma=1.5,
            use_sample_covariance=False,
        )
        got = result.per_image[pid]
        assert got["psnr"] == pytest.approx(psnr, abs=1e-3), pid
        # SSIM averages torchmetrics' SSIM map without its 5-px border, like scikit-image
        assert got["ssim"] == pytest.approx(ssim, abs=1e-4), pid
        assert 5 < got["psnr"] < 40 and 0 < got["ssim"] < 1


def test_ssim_differs_from_torchmetrics_reduction_only_by_the_border(seephys):
    """torchmetrics' own reduction also averages the reflect-padded border (documented in
    sciray.metrics.pixel); away from it, its SSIM map is ours."""
    from torchmetrics.functional.image import structural_similarity_index_measure

    from sciray.metrics.pixel import psnr_ssim

    _, arrays = _pairs(seephys, SIZE, 3)
    for gen, ref in arrays.values():
        t = [torch.from_numpy(x.copy()).permute(2, 0, 1)[None].float() / 255 for x in (gen, ref)]
        _, full = structural_similarity_index_measure(
            t[0], t[1], data_range=1.0, return_full_image=True
        )
        _, ours = psnr_ssim(t[0], t[1])
        assert float(ours[0]) == pytest.approx(float(full[..., 5:-5, 5:-5].mean()), abs=1e-6)


def test_identical_images_give_ssim_1_and_the_psnr_cap(seephys):
    pid, path, question = seephys[0]
    result = ImageMetrics(MetricsConfig(size=SIZE)).compute(
        [MetricPair(id=pid, image=path, reference=path.read_bytes(), text=question)]
    )
    values = result.per_image[pid]
    assert values["ssim"] == pytest.approx(1.0, abs=1e-5)  # float32 round-off
    assert values["psnr"] == PSNR_CAP_DB  # +inf is reported as the cap (JSON-safe)
    json.dumps(result.to_dict(), allow_nan=False)


# -- CLIP score ---------------------------------------------------------------------------------
def test_clip_score_with_a_tiny_local_clip(seephys, tiny_clip):
    pairs, _ = _pairs(seephys, SIZE, 7)
    long_text = " ".join(q for _, _, q in seephys)  # far above 77 tokens
    pairs[0] = MetricPair(
        id=pairs[0].id, image=pairs[0].image, reference=pairs[0].reference, text=long_text
    )
    metrics = ImageMetrics(MetricsConfig(size=SIZE, batch_size=3, clip_model=tiny_clip))
    result = metrics.compute(pairs)
    assert "clip" not in result.reasons and not result.missing
    scores = [v["clip"] for v in result.per_image.values()]
    assert all(s is not None and 0 <= s <= 100 for s in scores)
    assert len({round(s, 3) for s in scores}) > 1  # depends on the image and text
    assert result.means["clip"] == pytest.approx(sum(scores) / len(scores))

    scorer = metrics.clip_scorer()
    ids = scorer.tokenize([long_text, "short"])["input_ids"]
    assert ids.shape[-1] == 77 and ids[0, -1].item() == scorer.processor.tokenizer.eos_token_id

    for batch_size in (1, 2, 7):  # deterministic across batch sizes
        other = ImageMetrics(MetricsConfig(size=SIZE, batch_size=batch_size), clip=scorer).compute(
            pairs
        )
        for pid, values in result.per_image.items():
            assert other.per_image[pid]["clip"] == pytest.approx(values["clip"], abs=1e-3)


def test_clip_score_matches_torchmetrics_with_a_shim(seephys, tiny_clip):
    """torchmetrics' clip_score fails on transformers 5 (features are wrapped in a model output);
    with that unwrapped, it gives our number for a text within 77 tokens."""
    from torchmetrics.functional.multimodal import clip_score

    metrics = ImageMetrics(MetricsConfig(size=SIZE, clip_model=tiny_clip))
    scorer = metrics.clip_scorer()

    class Unwrapped:
        config = scorer.model.config

        def to(self, device):
            return self

        def get_image_features(self, pixel_values):
            return scorer.model.get_image_features(pixel_values=pixel_values).pooler_output

        def get_text_features(self, input_ids, attention_mask):
            return scorer.model.get_text_features(
                input_ids=input_ids, attention_mask=attention_mask
            ).pooler_output

    pid, path, _ = seephys[1]
    text = "a block on an inclined plane"
    ours = metrics.compute([MetricPair(id=pid, image=path, reference=path, text=text)]).per_image[
        pid
    ]["clip"]
    image, _ = load_rgb(path, SIZE)
    theirs = clip_score(
        torch.from_numpy(image.copy()).permute(2, 0, 1),
        text,
        model_name_or_path=lambda: (Unwrapped(), scorer.processor),
    )
    assert ours == pytest.approx(float(theirs.detach()), abs=1e-3)


def test_no_clip_model_gives_null_clip_with_reason_and_keeps_psnr_ssim(seephys):
    pairs, _ = _pairs(seephys, SIZE, 3)
    result = ImageMetrics(MetricsConfig(size=SIZE)).compute(pairs)
    assert result.reasons["clip"] == NO_CLIP_MODEL
    assert result.means["clip"] is None
    for values in result.per_image.values():
        assert values["clip"] is None and values["psnr"] is not None and values["ssim"] is not None


def test_unloadable_clip_weights_give_null_clip_with_reason(seephys, tmp_path):
    pairs, _ = _pairs(seephys, SIZE, 2)
    result = ImageMetrics(
        MetricsConfig(size=SIZE, clip_model=str(tmp_path / "no-such-clip"))
    ).compute(pairs)
    assert result.reasons["clip"].startswith("cannot load CLIP weights")
    assert all(v["clip"] is None and v["ssim"] is not None for v in result.per_image.values())


def test_open_clip_backend_names_the_extra_when_missing():
    import importlib.util

    if importlib.util.find_spec("open_clip") is not None:
        pytest.skip("open_clip is installed here")
    with pytest.raises(UserError, match=r"sciray\[gpu\]"):
        ImageMetrics(MetricsConfig(clip_model="ViT-B-32:openai", clip_backend="open_clip"))


# -- FID ------------------------------------------------------------------------------------------
def test_fid_with_a_tiny_feature_extractor(seephys):
    pairs, _ = _pairs(seephys, SIZE, 8)
    metrics = ImageMetrics(MetricsConfig(size=SIZE, batch_size=3), fid_feature=tiny_fid_features())
    different = metrics.compute(pairs)
    assert different.fid is not None and math.isfinite(different.fid) and different.fid > 1e-3
    same = metrics.compute(
        [MetricPair(id=p.id, image=p.reference, reference=p.reference, text="") for p in pairs]
    )
    assert same.fid == pytest.approx(0.0, abs=1e-6)
    assert "fid" not in same.reasons
    one = metrics.compute(pairs[:1])
    assert one.fid is None and "at least 2 images" in one.reasons["fid"]
    assert one.per_image[pairs[0].id]["ssim"] is not None


def test_fid_without_usable_inception_is_null_with_reason(seephys, tmp_path):
    pairs, _ = _pairs(seephys, SIZE, 2)
    result = ImageMetrics(
        MetricsConfig(size=SIZE, fid_features=str(tmp_path / "none.pth"))
    ).compute(pairs)
    assert result.fid is None and "fid_features file not found" in result.reasons["fid"]
    result = ImageMetrics(MetricsConfig(size=SIZE)).compute(
        pairs
    )  # torchmetrics' default Inception
    if result.fid is None:
        assert result.reasons["fid"]
    assert result.per_image[pairs[0].id]["psnr"] is not None


# -- bad inputs, batching -------------------------------------------------------------------------
def test_bad_inputs_are_reported_in_missing_and_others_still_computed(seephys, tmp_path):
    pairs, _ = _pairs(seephys, SIZE, 3)
    _pid, path, question = seephys[5]
    bad = [
        MetricPair(id="corrupt", image=b"not an image at all", reference=path, text=question),
        MetricPair(id="no-file", image=tmp_path / "missing.png", reference=path, text=question),
        MetricPair(id="no-reference", image=path, reference=None, text=question),
        MetricPair(
            id="bad-reference", image=path, reference=str(tmp_path / "gone.png"), text=question
        ),
    ]
    result = ImageMetrics(MetricsConfig(size=SIZE, batch_size=2)).compute(bad[:2] + pairs + bad[2:])
    assert result.missing["corrupt"].startswith("image: cannot decode")
    assert result.missing["no-file"].startswith("image: file not found")
    assert result.missing["no-reference"] == "reference: no image"
    assert result.missing["bad-reference"].startswith("reference: file not found")
    assert set(result.per_image) == {p.id for p in pairs}
    assert result.means["psnr"] is not None and result.means["ssim"] is not None

    nothing = ImageMetrics(MetricsConfig(size=SIZE)).compute(bad)
    assert not nothing.per_image and nothing.means["psnr"] is None and "psnr" in nothing.reasons


def test_duplicate_ids_are_a_user_error(seephys):
    pairs, _ = _pairs(seephys, SIZE, 1)
    with pytest.raises(UserError, match="unique ids"):
        ImageMetrics(MetricsConfig(size=SIZE)).compute(pairs * 2)


def test_batched_and_one_at_a_time_give_the_same_numbers(seephys, tiny_clip):
    pairs, _ = _pairs(seephys, SIZE, 8)
    pairs.append(
        MetricPair(id="corrupt", image=b"\x00" * 10, reference=pairs[0].reference, text="")
    )
    metrics = ImageMetrics(
        MetricsConfig(size=SIZE, batch_size=3, clip_model=tiny_clip),
        fid_feature=tiny_fid_features(),
    )
    batched, looped = metrics.compute(pairs), metrics.compute_one_at_a_time(pairs)
    assert batched.missing == looped.missing and set(batched.per_image) == set(looped.per_image)
    for pid, values in batched.per_image.items():
        for name, value in values.items():
            assert looped.per_image[pid][name] == pytest.approx(value, rel=1e-5, abs=1e-4), (
                pid,
                name,
            )
    assert looped.fid == pytest.approx(batched.fid, rel=1e-6)
    assert batched.reasons == looped.reasons == {}


def test_a_failing_clip_scorer_nulls_clip_only(seephys):
    class Broken:
        def score(self, images, texts):
            raise RuntimeError("boom")

    pairs, _ = _pairs(seephys, SIZE, 4)
    result = ImageMetrics(MetricsConfig(size=SIZE, batch_size=2), clip=Broken()).compute(pairs)
    assert result.reasons["clip"] == "CLIP scoring failed (RuntimeError: boom)"
    assert all(v["clip"] is None and v["psnr"] is not None for v in result.per_image.values())


def test_importing_the_api_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, sciray.metrics; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
