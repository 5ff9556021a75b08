"""LLM engines behind one ``Engine`` protocol, registered lazily by name.

``ENGINES.get("openai")`` imports only that back-end; vLLM and llama.cpp stay unimported until
their engine is chosen. ``make_engine(cfg)`` builds the engine an ``LLMConfig`` names.
"""

from sciray.registry import Registry

ENGINES: Registry = Registry("engine")
ENGINES.register("openai", "sciray.llm.openai_engine:OpenAIEngine")
ENGINES.register("vllm", "sciray.llm.vllm_engine:VLLMEngine")
ENGINES.register("local", "sciray.llm.local_engine:LocalEngine")
ENGINES.register("scripted", "sciray.llm.scripted:ScriptedEngine")


def make_engine(cfg, **kwargs):
    """The engine ``cfg.engine`` names, built from ``cfg`` (an ``LLMConfig``)."""
    return ENGINES.get(cfg.engine)(cfg, **kwargs)
