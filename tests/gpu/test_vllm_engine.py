"""vLLM for real, where CUDA and the gpu extra exist: a tiny random-weight Qwen2 built here
(no hub access), served by ``VLLMEngine`` on a GPU."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gpu

CHAT_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


def _tiny_model(path):
    """A 2-layer Qwen2 with random weights and a byte-level BPE tokenizer trained on a few lines."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=512,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(
        ["import matplotlib.pyplot as plt", "plt.plot([0, 1])", "draw a diagram"] * 50, trainer
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, eos_token="<|im_end|>", pad_token="<|endoftext|>"
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.save_pretrained(path)
    config = Qwen2Config(
        vocab_size=len(fast),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=512,
        eos_token_id=fast.eos_token_id,
        pad_token_id=fast.pad_token_id,
    )
    Qwen2ForCausalLM(config).save_pretrained(path)
    return str(path)


def test_vllm_engine_generates_batched(tmp_path):
    pytest.importorskip("vllm")
    from sciray.config.models import LLMConfig
    from sciray.llm.base import ChatRequest, user_message
    from sciray.llm.vllm_engine import VLLMEngine

    cfg = LLMConfig(
        engine="vllm",
        model=_tiny_model(tmp_path / "tiny"),
        max_model_len=256,
        gpu_memory_utilization=0.3,
    )
    engine = VLLMEngine(cfg)
    requests = [
        ChatRequest(
            messages=[user_message(f"draw {i}")], max_tokens=8, temperature=0.0, request_id=str(i)
        )
        for i in range(4)
    ]
    results = engine.generate(requests)
    assert [r.request_id for r in results] == ["0", "1", "2", "3"]
    assert all(r.status == "ok" and r.usage.completion_tokens > 0 for r in results)
    assert all(r.finish_reason in ("stop", "length") for r in results)
