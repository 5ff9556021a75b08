"""Samples -> model inputs with the model's own processor and chat template; the loss.

Labels copy the input ids of the answer (the assistant turn, its end token included) and are -100
everywhere else: the system/user prompt, the image tokens and the padding never count in the loss.
The prompt length is read from the chat template rendered with and without the answer, so the same
code serves any Qwen-VL-style processor.
"""

from __future__ import annotations

import logging
from typing import Any

from sciray import imaging
from sciray.errors import InternalError, UserError
from sciray.imaging import DEFAULT_MAX_PIXELS, ImageRejected
from sciray.train.samples import Sample, messages

IGNORE = -100
log = logging.getLogger(__name__)


def open_image(data: bytes, max_pixels: int = DEFAULT_MAX_PIXELS):
    """The sample's image as RGB. Raises ``ImageRejected`` with the reason for bytes that are no
    image, cannot be decoded, or declare more than ``max_pixels`` (refused from the header)."""
    image = imaging.open_image(data, max_pixels=max_pixels)
    try:
        with image:
            return image.convert("RGB")
    except Exception as exc:  # noqa: BLE001 - PIL raises many types for corrupt data
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ImageRejected(f"cannot decode image ({len(data)} bytes): {reason}") from None


def decode_images(
    samples: list[Sample], max_pixels: int = DEFAULT_MAX_PIXELS
) -> tuple[list[Sample], list]:
    """(the samples whose image decodes, their RGB images). A bad image drops its sample, logged
    with the reason, as a row without an image gives none (``row_to_samples`` refuses most of
    them from the header already; this catches images corrupt past the header)."""
    kept, images = [], []
    for sample in samples:
        try:
            images.append(open_image(sample["image"], max_pixels))
        except ImageRejected as exc:
            log.warning("skipping training sample %s: %s", sample.get("sample_id"), exc)
            continue
        kept.append(sample)
    return kept, images


def chat_texts(processor, sample: Sample) -> tuple[str, str]:
    """(prompt, full conversation) as the chat template renders them; the prompt ends where the
    assistant's answer starts."""
    prompt = processor.apply_chat_template(
        messages(sample, with_answer=False), tokenize=False, add_generation_prompt=True
    )
    full = processor.apply_chat_template(messages(sample), tokenize=False)
    if not full.startswith(prompt):
        raise UserError(
            "the model's chat template does not render the prompt as the start of the "
            "conversation, so the prompt cannot be masked; use an instruct model's template"
        )
    return prompt, full


def _image_token_id(processor) -> int:
    token_id = getattr(processor, "image_token_id", None)
    if token_id is None:
        token_id = processor.tokenizer.convert_tokens_to_ids(processor.image_token)
    return int(token_id)


def encode_batch(processor, samples: list[Sample], max_length: int) -> dict[str, Any]:
    """Tensors for one training batch: input_ids, attention_mask, labels (prompt and padding
    -100), pixel_values, image_grid_thw (and mm_token_type_ids where the processor makes them).
    Samples longer than ``max_length`` lose the end of their answer; a sample whose image cannot
    be decoded is left out of the batch."""
    if not samples:
        raise InternalError("encode_batch got no samples")
    samples, images = decode_images(samples)
    if not samples:  # every rank must step, so a batch with nothing left cannot be skipped
        raise UserError(
            "every image of a training batch is unreadable or over the pixel cap "
            f"({DEFAULT_MAX_PIXELS} pixels; see the log for each reason); check the shards' images"
        )
    tokenizer = processor.tokenizer
    tokenizer.padding_side = "right"
    texts = [chat_texts(processor, s) for s in samples]
    enc = processor(
        text=[full for _, full in texts], images=images, padding=True, return_tensors="pt"
    )
    image_id = _image_token_id(processor)
    labels = enc["input_ids"].clone()
    labels[enc["attention_mask"] == 0] = IGNORE
    for i, (prompt, _) in enumerate(texts):
        ids = enc["input_ids"][i]
        # the processor expands the prompt's image placeholder(s) into one token per merged patch
        placeholder_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        expanded = int((ids == image_id).sum())
        prompt_len = len(placeholder_ids) - placeholder_ids.count(image_id) + expanded
        head = [t for t in ids[:prompt_len].tolist() if t != image_id]
        if head != [t for t in placeholder_ids if t != image_id]:
            raise InternalError(
                "the prompt tokens differ inside the full conversation; cannot mask the prompt"
            )
        if (
            prompt_len > max_length
            and expanded
            and int((ids[:max_length] == image_id).sum()) < expanded
        ):
            raise UserError(
                f"a sample's image alone needs more than train.max_length={max_length} tokens; "
                "raise train.max_length or lower train.max_pixels"
            )
        labels[i, :prompt_len] = IGNORE
    length = min(enc["input_ids"].shape[1], max_length)
    batch = {
        k: v[:, :length] if k in ("input_ids", "attention_mask", "mm_token_type_ids") else v
        for k, v in enc.items()
    }
    batch["labels"] = labels[:, :length]
    return dict(batch)


def causal_lm_loss(logits, labels):
    """(mean next-token cross-entropy over answer tokens, number of answer tokens). A batch whose
    answers were all cut off gives a zero loss that still has a graph (every rank must step)."""
    import torch.nn.functional as F

    shift_logits = logits[:, :-1, :].float()
    shift_labels = labels[:, 1:].to(shift_logits.device)
    count = int((shift_labels != IGNORE).sum())
    total = F.cross_entropy(
        shift_logits.reshape(-1, shift_logits.shape[-1]),
        shift_labels.reshape(-1),
        ignore_index=IGNORE,
        reduction="sum",
    )
    return total / max(count, 1), count
