"""Loading an image-text-to-text model's processor by path, also where torchvision is missing.

transformers 5 cannot build Qwen-VL processors without torchvision (their video processor needs
it) and torchvision does not install next to the CPU build of torch. Training only needs images, so
the fallback builds the same processor class with its video processor left out.
"""

from __future__ import annotations

import json
from pathlib import Path

# model_type -> processor class, for folders whose processor_config.json does not name one
_PROCESSOR_BY_MODEL_TYPE = {
    "qwen2_vl": "Qwen2VLProcessor",
    "qwen2_5_vl": "Qwen2_5_VLProcessor",
    "qwen3_vl": "Qwen3VLProcessor",
    "qwen3_vl_moe": "Qwen3VLProcessor",
}


def _image_only(parent: type) -> type:
    """``parent`` accepting ``video_processor=None`` (same name, so saved configs stay loadable)."""

    def check_argument_for_proper_class(self, name, arg):
        if arg is None and name == "video_processor":
            return None
        return parent.check_argument_for_proper_class(self, name, arg)

    return type(
        parent.__name__,
        (parent,),
        {
            "check_argument_for_proper_class": check_argument_for_proper_class,
            "__module__": parent.__module__,
        },
    )


def _processor_class_name(path: Path) -> str:
    for name in ("processor_config.json", "preprocessor_config.json"):
        f = path / name
        if f.exists():
            cls = json.loads(f.read_text()).get("processor_class")
            if cls:
                return cls
    model_type = (
        json.loads((path / "config.json").read_text()).get("model_type")
        if (path / "config.json").exists()
        else None
    )
    return _PROCESSOR_BY_MODEL_TYPE.get(model_type, "Qwen2VLProcessor")


def load_processor(
    model_path: str, *, min_pixels: int | None = None, max_pixels: int | None = None
):
    """The model's processor (tokenizer, image processor, chat template), pixel bounds applied."""
    import transformers
    from transformers import AutoImageProcessor, AutoProcessor, AutoTokenizer
    from transformers.processing_utils import ProcessorMixin

    processor = None
    try:
        processor = AutoProcessor.from_pretrained(model_path)
    except ImportError:  # the processor class needs torchvision for its video part
        pass
    if not isinstance(processor, ProcessorMixin):  # also a folder without processor_config.json
        path = Path(model_path)
        tokenizer = AutoTokenizer.from_pretrained(model_path)
        image_processor = AutoImageProcessor.from_pretrained(model_path)
        parent = getattr(transformers, _processor_class_name(path))
        template = tokenizer.chat_template
        if template is None and (path / "chat_template.jinja").exists():
            template = (path / "chat_template.jinja").read_text()
        processor = _image_only(parent)(
            image_processor=image_processor,
            tokenizer=tokenizer,
            video_processor=None,
            chat_template=template,
        )
    # Qwen-VL image processors keep their pixel bounds as size.shortest_edge / longest_edge
    bounds = {
        k: v
        for k, v in (("shortest_edge", min_pixels), ("longest_edge", max_pixels))
        if v is not None
    }
    if bounds:
        size = processor.image_processor.size
        processor.image_processor.size = type(size)(**{**dict(size), **bounds})
    return processor
