"""The configuration schema. Every section is strict (``extra="forbid"``) and every field's
docstring is its help text (``sciray config show --help-fields`` lists them).

Secrets never live in config: a field that needs one holds the *name* of an environment
variable (``*_env``), read when the secret is used.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from sciray.data.problems import (
    DEFAULT_MAX_DECOMPRESSED_MB,
    DEFAULT_MAX_DEPTH,
    DEFAULT_MAX_ROW_BYTES,
)


class Section(BaseModel):
    # allow_inf_nan=False: '.inf' or 'nan' would pass every 'gt=0' bound (a timeout that never
    # fires).
    model_config = ConfigDict(
        extra="forbid", use_attribute_docstrings=True, validate_default=True, allow_inf_nan=False
    )


class RayConfig(Section):
    """Where the Ray cluster is and how a local one is started."""

    address: str | None = None
    """Address of an existing cluster ('auto' inside a cluster, 'ray://host:10001' from outside);
    empty starts a local Ray for the run."""
    num_cpus: int | None = Field(default=4, ge=1)
    """Logical CPUs of a local Ray. At least 4 even on a 2-core machine, or a Serve replica and a
    Data job can deadlock."""
    num_gpus: int | None = Field(default=None, ge=0)
    """GPUs of a local Ray; empty lets Ray detect them."""
    namespace: str = "sciray"
    """Ray namespace for named actors and jobs."""
    include_dashboard: bool = False
    """Start the Ray dashboard with a local Ray (bound to 127.0.0.1)."""
    object_store_memory_mb: int | None = Field(default=None, ge=64)
    """Object store size of a local Ray in MiB; empty lets Ray choose."""
    worker_niceness: int = Field(default=0, ge=0, le=19)
    """Nice value of a local Ray's workers. Ray's own default (15) suits dedicated nodes; on a
    shared machine it starves the model and render actors behind any other process (measured: the
    local coder at 0.7 tokens/s instead of 16 beside two busy processes), so a local Ray runs its
    workers at the driver's priority. A joined cluster keeps its own setting."""


class ProblemsConfig(Section):
    """How problem files are read."""

    max_row_bytes: int = Field(default=DEFAULT_MAX_ROW_BYTES, ge=1024)
    """A row larger than this (bytes of JSON) is quarantined instead of loaded."""
    max_depth: int = Field(default=DEFAULT_MAX_DEPTH, ge=4, le=500)
    """A row whose JSON nests deeper than this (objects and lists) is quarantined instead of parsed."""
    max_decompressed_mb: int = Field(default=DEFAULT_MAX_DECOMPRESSED_MB, ge=1)
    """Most MiB read from one compressed problem file (decompressed), one JSON array file (read
    whole) or one Parquet row group (uncompressed); past it those rows are quarantined (a guard
    against decompression bombs)."""
    reference_images: str | None = None
    """Folder (path or fsspec URL) holding <id>.png reference figures, e.g. SeePhys's images."""

    def read_limits(self) -> dict[str, int]:
        """The caps as keyword arguments of ``sciray.data.problems.iter_problems`` /
        ``load_problems``."""
        return {
            "max_row_bytes": self.max_row_bytes,
            "max_depth": self.max_depth,
            "max_decompressed_mb": self.max_decompressed_mb,
        }


class RenderConfig(Section):
    """The sandboxed renderer: limits per render and the worker pool."""

    workers: int | None = Field(default=None, ge=1)
    """Warm fork-server workers per pool (CLI) or per actor; empty uses the CPU count."""
    timeout_s: float = Field(default=20.0, gt=0)
    """Wall-clock limit of one render; the child is killed after it (status 'timeout')."""
    cpu_s: int = Field(default=15, ge=1)
    """CPU-seconds limit of one render (RLIMIT_CPU)."""
    memory_mb: int = Field(default=2048, ge=256)
    """Address-space limit of one render in MiB (RLIMIT_AS); a bigger allocation fails (status
    'limit')."""
    max_pixels: int = Field(default=16_000_000, ge=10_000)
    """Largest canvas (width x height pixels) a render may allocate; checked before allocation."""
    dpi: int = Field(default=100, ge=30, le=600)
    """Resolution of the returned PNG."""
    scratch_mb: int = Field(default=64, ge=1)
    """Disk quota of a render's scratch folder (largest file and folder total)."""
    max_files: int = Field(default=256, ge=8)
    """Most files and folders a render may create in its scratch folder."""
    max_output_kb: int = Field(default=64, ge=1)
    """Captured stdout and stderr kept per render; the rest is dropped and counted."""
    max_png_mb: int = Field(default=32, ge=1)
    """Largest PNG a render may return."""
    open_files: int = Field(default=128, ge=16)
    """Open file descriptors per render (RLIMIT_NOFILE)."""
    allowed_imports: list[str] = Field(default_factory=lambda: list(DEFAULT_ALLOWED_IMPORTS))
    """Top-level modules diagram code may import ('*' allows all; the OS sandbox still applies)."""
    allow_without_landlock: bool = False
    """Serve even when the kernel has no Landlock (weaker isolation, logged loudly). Off: refuse to
    start."""
    tex_format: bool = True
    """Precompile a TikZ format once per worker so pdflatex starts faster."""


class LLMConfig(Section):
    """An LLM engine: which back-end, which model, how to call it."""

    @model_validator(mode="before")
    @classmethod
    def _num_gpus_moved(cls, data: Any) -> Any:
        if isinstance(data, dict) and "num_gpus" in data:
            raise ValueError(
                "num_gpus is no engine setting: an engine's GPUs are its tensor_parallel_size "
                "(remove num_gpus; set tensor_parallel_size for a vllm engine on several GPUs)"
            )
        return data

    @property
    def engine_gpus(self) -> float:
        """GPUs one engine of this config holds: tensor_parallel_size for 'vllm', else none."""
        return float(self.tensor_parallel_size) if self.engine == "vllm" else 0.0

    engine: Literal["openai", "vllm", "local", "scripted"] = "local"
    """Back-end: 'openai' (any OpenAI-compatible server), 'vllm' (in-process, GPU), 'local'
    (llama.cpp on CPU, offline), 'scripted' (tests)."""
    model: str = "qwen2.5-coder-1.5b"
    """Model name: for 'local' one of the bundled GGUF models (qwen2.5-coder-1.5b,
    qwen2.5-coder-0.5b) or a .gguf path; for 'openai' the server's model id; for 'vllm' a local
    path or model id."""
    base_url: str | None = None
    """OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (engine 'openai')."""
    api_key_env: str | None = None
    """Name of the environment variable that holds the API key (never the key itself)."""
    max_concurrency: int = Field(default=8, ge=1)
    """Requests in flight at once (engine 'openai')."""
    timeout_s: float = Field(default=120.0, gt=0)
    """Per-request timeout in seconds."""
    max_retries: int = Field(default=4, ge=0)
    """Retries on 429, 5xx, timeouts and connection errors, with jittered exponential backoff."""
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    """Sampling temperature of first answers (0 = greedy)."""
    top_p: float = Field(default=0.95, gt=0.0, le=1.0)
    """Nucleus sampling mass when temperature > 0."""
    max_tokens: int = Field(default=1024, ge=16)
    """Most tokens per answer."""
    seed: int | None = 0
    """Sampling seed (engines that honour one); empty for nondeterministic sampling."""
    script: str | None = None
    """Engine 'scripted': a JSON/JSONL file of canned answers (tests only)."""
    n_ctx: int = Field(default=8192, ge=512)
    """Engine 'local': context length. Scene mode needs room: a domain's schema and example are
    up to ~3k tokens, and a repair adds the last scene and its error."""
    n_threads: int | None = Field(default=None, ge=1)
    """Engine 'local': CPU threads; empty uses the CPUs the engine's Ray actor reserved
    (`synth.coder.num_cpus`, `serve.coder_num_cpus`), or all CPUs outside Ray."""
    prompt_cache_mb: int | None = Field(default=None, ge=0)
    """Engine 'local': RAM for the evaluated states of recent prompts, so a prompt that starts
    like an earlier one (a scene domain's schema and example) skips that part; 0 turns it off.
    Empty: 2048 for a coder in scene or auto mode (its prompts share long prefixes), else 0
    (a saved state of the 1.5B model is a few hundred MB)."""
    tensor_parallel_size: int = Field(default=1, ge=1)
    """Engine 'vllm': tensor-parallel degree, which is also the GPUs one engine holds: the one
    place an engine's GPU count is set (pipeline stages and Serve replicas take it from here)."""
    max_model_len: int | None = Field(default=8192, ge=256)
    """Engine 'vllm': longest prompt + answer in tokens."""
    gpu_memory_utilization: float = Field(default=0.9, gt=0, le=1)
    """Engine 'vllm': share of GPU memory vLLM may take."""


class CoderConfig(LLMConfig):
    """ImgCoder: the LLM that plans and writes diagram code, and its repair loop."""

    max_tokens: int = Field(default=1536, ge=16)
    """Most tokens per answer: the understanding, the four-part plan and one whole program (1024 cut
    a third of the 1.5B model's first answers short)."""
    language: Literal["python", "tikz"] = "python"
    """Diagram language the coder writes in code mode."""
    mode: Literal["code", "scene", "auto"] = "auto"
    """'code': the paper's ImgCoder writes a whole program. 'scene': the coder fills a typed scene
    description (``sciray.scene``; decoding constrained to its schema) that a deterministic domain
    renderer draws; the domain comes from the problem's image_type, else the model picks it.
    'auto' (the default): a scene where a domain fits the image_type, code where none does or
    the scene's attempts fail (a scene short only of label recall is kept, see
    ``scene_recall_repairs``). Chosen on fresh samples with the 1.5B offline coder, where auto
    rendered at least as much as code, labelled more on the drawing, drew more faithful pictures
    and took no more time (``benchmarks/README.md``); a strong coder (the GPU configs) keeps
    'code'."""
    scene_max_tokens: int = Field(default=768, ge=64)
    """Most tokens of one scene answer (scenes are short JSON objects)."""
    auto_scene_attempts: int = Field(default=2, ge=1)
    """'auto': scene answers (first plus repairs) before the slot goes on in code mode. A second
    scene answer with the validation error or missing values fixed the scene about one time in
    five on the measured sample, a third none (``benchmarks/README.md``)."""
    samples: int = Field(default=1, ge=1, le=16)
    """Best-of-n: first answers sampled per problem (at ``sample_temperature`` when > 1); the best
    by checks is kept."""
    sample_temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    """Temperature of extra samples (samples > 1)."""
    attempts: int = Field(default=3, ge=1, le=10)
    """Model calls per sample: the first answer plus repairs (a code-only follow-up, see
    ``plan_followup``, comes on top)."""
    repair_temperature: float = Field(default=0.6, ge=0.0, le=2.0)
    """Repairs sample (greedy decoding tends to return the same failing script)."""
    mechanical_fixes: bool = True
    """Fix common mechanical failures (3-D axes, removed numpy names, off-view patches, bad format
    strings) before asking the model again."""
    plan_followup: bool = True
    """An answer that plans but stops before its code gets one code-only follow-up (its plan sent
    back) that does not count against ``attempts``."""
    restart_on_same_error: bool = True
    """When a repair fails with exactly the error of the script it repaired, the next call starts
    over from the first prompt (sampled) instead of repairing again."""
    repair_on_checks: bool = True
    """Also repair rendered images that fail the checks (blank, missing given values, leaked
    answer)."""
    scene_recall_repairs: int = Field(default=1, ge=0, le=3)
    """Repairs a rendered scene gets when its only failed check is label recall (it states
    nothing false and leaks no answer, but leaves given values unshown); after them such a scene
    is final, the best picture of its problem ('auto' does not go on to code mode for it). On
    fresh samples with the 1.5B offline coder a first such repair added the missing value one
    time in six and a second never did, while code mode's picture that replaced such a scene
    drew the setting less faithfully (``benchmarks/README.md``)."""
    min_label_recall: float = Field(default=0.8, ge=0.0, le=1.0)
    """Label recall below this counts as a failed check (and triggers a repair)."""
    givens_legend: bool = True
    """When a sample's attempts are spent and its best Python diagram still misses given values, add
    them in a "Given:" strip under the drawing (a recorded mechanical fix, `givens_legend`)."""
    critique_rounds: int | None = Field(default=None, ge=0, le=3)
    """Visual critique rounds: the validator's vision model answers the problem's quizzes from
    a finished diagram, and the coder revises it once per round with the quizzes read wrongly
    and the failed checks (``sciray.coder.critic``), recorded as an attempt of origin
    'critique'. Empty: 1 when the validator is a vision model ('vision' mode on 'openai' or
    'vllm'), else 0 (the offline OCR proxy cannot see a picture)."""
    critique_image: bool = False
    """Also send the picture itself to the coder in a critique round (a coder that reads images:
    a vision-language model behind 'openai' or 'vllm')."""
    use_elements: bool = False
    """Show the dataset's element checklist to the coder (off: the paper's ImgCoder sees only the
    problem text, and evaluation uses the same annotations)."""

    @property
    def max_rounds(self) -> int:
        """Most code-render rounds one sample can take: ``attempts`` plus the plan follow-up.
        ImgCoder owns the repair loop; the split layout unrolls exactly this many rounds."""
        rounds = self.attempts + (1 if self.plan_followup else 0) + (self.critique_rounds or 0)
        if self.mode == "auto":  # the scene's rounds, then code's when it falls back
            return min(self.auto_scene_attempts, self.attempts) + rounds
        return rounds + (1 if self.mode == "scene" else 0)  # the domain pick


class ValidatorConfig(LLMConfig):
    """Inverse validation: a vision model (or the OCR proxy) answers each quiz from the image alone."""

    mode: Literal["vision", "ocr", "scene"] = "vision"
    """'vision': the engine sees the image; 'ocr': a cheap proxy where a text model reads OCR /
    scene text (labelled ``ocr-proxy``); 'scene': a text model answers from the typed scene
    description the image was drawn from (its facts and labels; labelled ``scene-proxy``), and a
    candidate drawn from code has no score (status ``no_scene``)."""
    image_max_side: int = Field(default=1024, ge=64, le=8192)
    """Images are downscaled so their longer side is at most this many pixels before they are sent."""
    image_format: Literal["png", "jpeg"] = "png"
    """Encoding of the image sent to the validator."""
    image_quality: int = Field(default=90, ge=1, le=100)
    """JPEG quality when image_format is 'jpeg'."""
    verifier: bool = False
    """Ask the engine to map an answer that letter extraction cannot decide to an option (else it
    counts as wrong)."""
    ocr_engine: Literal["scene", "tesseract"] = "scene"
    """Where the OCR proxy gets text: 'scene' (texts the renderer measured; code-rendered images) or
    'tesseract' (any image)."""


class JudgeConfig(LLMConfig):
    """LMM-as-judge: five dimensions scored 0-2 from the image and the problem."""

    enabled: bool = False
    """Score candidates with the judge (slow; off by default in synthesis)."""
    parse_retries: int = Field(default=2, ge=0, le=5)
    """Extra judge calls when an answer cannot be parsed or is out of range (bounded, never a loop)."""
    image_max_side: int = Field(default=1024, ge=64, le=8192)
    """Longer side of the image sent to the judge, in pixels."""


class MetricsConfig(Section):
    """Standard image metrics against reference images (PSNR, SSIM, CLIP score, FID)."""

    device: str = "cpu"
    """torch device for the metrics ('cpu', 'cuda')."""
    batch_size: int = Field(default=32, ge=1)
    """Images per metric batch."""
    size: int = Field(default=256, ge=32, le=2048)
    """Generated and reference images are resized to size x size (RGB) for PSNR / SSIM."""
    clip_model: str | None = None
    """CLIP weights: a local folder (transformers format) or a model id already in the Hugging Face
    cache; empty: CLIP score is null with the reason."""
    clip_backend: Literal["transformers", "open_clip"] = "transformers"
    """CLIP implementation: transformers (CPU-friendly) or open_clip (GPU extra)."""
    fid_features: str | None = None
    """FID feature extractor: a local torch-fidelity Inception weights file, or empty to use
    torchmetrics' default when its weights are cached; unavailable: FID is null with the reason."""


class StageResources(Section):
    """Ray resources of one pipeline stage (a ``map_batches`` actor pool)."""

    concurrency: int | tuple[int, int] = 1
    """Actors in the pool: a fixed number, or [min, max] to autoscale."""
    num_cpus: float = Field(default=1.0, ge=0)
    """CPUs per actor."""
    num_gpus: float | None = Field(default=None, ge=0)
    """GPUs per actor; a stage with GPUs never lands on a CPU-only node. Empty: what the
    stage's engine holds (coder, quizgen: coder.tensor_parallel_size for a vllm coder;
    validate, judge: the validator's), 0 for render. Set it only to share a GPU (a fraction)."""
    accelerator_type: str | None = None
    """Ray accelerator type the actors need (e.g. 'H100'); empty for any."""
    batch_size: int = Field(default=1, ge=1)
    """Rows per batch handed to an actor (and the rows it emits at once: see
    ``synth.render``)."""
    concurrent_batches: int = Field(default=1, ge=1)
    """Batches one actor works on at once, each in a thread of its own (Ray Data's
    ``max_concurrent_calls_per_actor`` with true multi-threading). Defaults to 2 for
    ``synth.coder`` and ``synth.render``: while one batch waits on its last renders or its model
    call, the next keeps the actor's render workers (and the engine) busy. Every engine and
    renderer is safe to share between threads (the local engine generates one request at a
    time behind a lock)."""


class AcceptConfig(Section):
    """Which candidates become training data."""

    require_checks: bool = True
    """The best candidate must pass the deterministic checks (rendered, not blank, labels, no leaked
    answer)."""
    min_r_inv: float | None = Field(default=None, ge=0.0, le=1.0)
    """Share of quizzes the validator must answer right (1.0 = all); empty: no quiz validation
    (checks only)."""
    min_cheap_r_inv: float = Field(default=0.5, ge=0.0, le=1.0)
    """Cascade: share the cheap OCR proxy must reach before the vision validator is asked (when
    validator.mode is 'vision' and cascade is on)."""
    cascade: bool = False
    """Run the cheap OCR-proxy validator before the vision validator, only passing candidates on."""
    min_judge_total: float | None = Field(default=None, ge=0.0, le=10.0)
    """With judge.enabled: the least sum of the judge's five scores (0-10) to accept; empty: the
    judge scores are recorded in the verdict but do not decide."""


class SynthConfig(Section):
    """The synthesis pipeline: stages, resources, shards, acceptance."""

    layout: Literal["fused", "split"] = "fused"
    """'fused': one ImgCoder actor pool runs engine and sandbox (fewest actors; the engine is local
    or a remote endpoint). 'split': a coder pool (GPU, in-process vLLM) and a render pool (CPU)
    per repair round."""
    coder: StageResources = Field(default_factory=StageResources)
    """The coder stage (engine calls; give it num_gpus for a vLLM engine). A problem's row leaves
    the stage with its batch, so a batch is what a slow engine makes the rest wait for: 1 for the
    local CPU engine, more for a batching vLLM engine in the split layout."""
    render: StageResources = Field(default_factory=StageResources)
    """The sandboxed render stage of the split layout (CPU); render.workers fork-servers per
    actor. Like every stage after the coder it starts a batch only when the whole batch has
    arrived (or the input ended), so a batch larger than what the coder turns out at once holds
    finished rows back: its batch_size defaults to the coder's."""
    validate_stage: StageResources = Field(default_factory=StageResources)
    """The validator stage (quiz answering; all quizzes of a batch go to the engine together);
    batch_size defaults to the coder's, as at ``render`` (with a fixed 8, README's 5-problem run
    on the local coder wrote nothing for 35 minutes and then all five rows at once)."""
    accept: AcceptConfig = Field(default_factory=AcceptConfig)
    """Acceptance rule."""
    quizgen_from: Literal["problem", "scene"] = "problem"
    """Where quizzes for problems without any come from: 'problem' (before the coder, from the
    problem text), or 'scene' (after the coder: a problem drawn from a scene description gets
    quizzes whose correct option a label of that scene states, as CoSyn asks Q&A of the data
    behind its images; a problem drawn from code gets them from its text)."""
    shard_rows: int = Field(default=256, ge=1)
    """Rows per Parquet shard (accepted/ and rejected/ each)."""
    stage_retries: int = Field(default=2, ge=0, le=10)
    """Times a stage retries a row that raised before the row ends in 'failed' with its error."""
    shard_flush_s: float = Field(default=30.0, ge=0)
    """Write the finished rows as a shard at least this often (seconds), so a killed run keeps
    them; 0 writes every finished row at once."""
    no_progress_timeout_s: float = Field(default=7200.0, gt=0)
    """Ray Data stops a run in which no problem finishes for this long (seconds). The default
    fits the slowest engine: the local CPU coder on a busy 2-core machine takes up to ~25 min for
    one problem's calls."""
    max_errored_blocks: int = Field(default=0, ge=-1)
    """Ray Data blocks that may fail for good before the run stops (-1: never stop)."""

    @model_validator(mode="after")
    def _later_batches_follow_the_coder(self) -> SynthConfig:
        # a stage starts a batch only when all its rows arrived: behind the coder, a batch larger
        # than the coder's holds finished rows back, a smaller one only adds tasks
        for stage in (self.render, self.validate_stage):
            if "batch_size" not in stage.model_fields_set:
                stage.batch_size = self.coder.batch_size
        # the stages that render: a second batch in flight keeps the render workers busy
        for stage in (self.coder, self.render):
            if "concurrent_batches" not in stage.model_fields_set:
                stage.concurrent_batches = 2
        return self


DEFAULT_ALLOWED_IMPORTS = (
    "matplotlib",
    "mpl_toolkits",
    "numpy",
    "scipy",
    "networkx",
    "schemdraw",
    "rdkit",
    "pylab",
    "math",
    "cmath",
    "random",
    "itertools",
    "functools",
    "collections",
    "string",
    "re",
    "fractions",
    "decimal",
    "statistics",
    "colorsys",
    "textwrap",
    "datetime",
    "typing",
    "dataclasses",
    "enum",
    "copy",
    "operator",
    "numbers",
    "json",
    "warnings",
    "abc",
    "heapq",
    "bisect",
    "array",
    "io",
    "os",
    "sys",
    "pathlib",
    "time",
    "__future__",
)


class ServeConfig(Section):
    """The HTTP service (``sciray serve``, Ray Serve): address, auth, limits, replicas, cache."""

    host: str = "127.0.0.1"
    """Address the HTTP proxy binds. Keep 127.0.0.1 unless a reverse proxy or a Kubernetes ingress
    fronts it (then also set token_env)."""
    port: int = Field(default=8000, ge=1, le=65535)
    """HTTP port of the Serve proxy."""
    app_name: str = "sciray"
    """Name of the Serve application."""
    route_prefix: str = "/"
    """URL prefix the application is served under."""
    token_env: str | None = None
    """Name of the environment variable holding the bearer token clients must send (never the token
    itself); empty: no auth."""
    max_body_kb: int = Field(default=1024, ge=1)
    """Largest request body in KiB; bigger requests get 413 (checked from Content-Length and from
    the body read)."""
    request_timeout_s: float = Field(default=300.0, gt=0)
    """Per-request limit in the ingress; a request still running after it gets 504 and is cancelled."""
    retry_after_s: int = Field(default=1, ge=1)
    """Seconds sent in Retry-After with a 503 overload answer."""
    cache_size: int = Field(default=256, ge=0)
    """Answers kept in the ingress's content-hash LRU cache (per ingress replica); 0 disables it. A
    request with `Cache-Control: no-cache` is computed afresh (a new sample), `no-store` is also
    not kept."""
    throughput_optimized: bool = True
    """Run Serve in Ray's throughput-optimized mode (RAY_SERVE_THROUGHPUT_OPTIMIZED=1: gRPC between
    replicas, user code and router on each replica's event loop, GC frozen after start-up,
    buffered request logs; direct ingress off). Applied to the local Ray that sciray serve
    starts, before it starts; on a cluster the nodes' environment decides (the RayService
    manifest sets it). Variables already set win."""
    public_docs: bool = True
    """Serve /docs, /redoc and /openapi.json without the token when auth is on (they describe the
    API and hold no data); false puts them behind the token too."""
    ingress_replicas: int = Field(default=1, ge=1)
    """Replicas of the HTTP ingress (FastAPI) deployment."""
    ingress_max_ongoing_requests: int = Field(default=256, ge=1)
    """Requests one ingress replica handles at once."""
    ingress_max_queued_requests: int = Field(default=512, ge=-1)
    """Requests the HTTP proxy queues for the ingress before answering 503 (-1: unbounded; 0 means
    1)."""
    render_min_replicas: int = Field(default=1, ge=0)
    """Autoscaling: fewest render replicas (each a warm sandbox pool)."""
    render_max_replicas: int = Field(default=2, ge=1)
    """Autoscaling: most render replicas."""
    render_workers: int = Field(default=2, ge=1)
    """Warm fork-server sandboxes per render replica (also the autoscaling target of ongoing renders
    per replica)."""
    render_num_cpus: float = Field(default=1.0, ge=0)
    """Ray CPUs reserved per render replica."""
    render_max_ongoing_requests: int = Field(default=32, ge=1)
    """Renders one render replica accepts at once; beyond render_workers they wait inside the
    replica for a free sandbox. Keep it well above render_workers: requests held in the callers'
    queue make Serve's router re-probe the replicas, which cost 3x the throughput on 2 cores
    (benchmarks/serve_load.py)."""
    render_max_queued_requests: int = Field(default=32, ge=-1)
    """Renders queued per caller before 503 (-1: unbounded; 0 means Ray's smallest queue, 1)."""
    coder_replicas: int = Field(default=1, ge=1)
    """Replicas of the coder deployment (ImgCoder with the coder.* engine)."""
    coder_num_cpus: float = Field(default=1.0, ge=0)
    """Ray CPUs per coder replica (the 'local' llama.cpp engine computes here; 'openai' only waits)."""
    coder_num_gpus: float | None = Field(default=None, ge=0)
    """Ray GPUs per coder replica; empty: what the coder engine holds (coder.tensor_parallel_size
    for an in-process 'vllm' coder, else 0; prefer ray.serve.llm + coder.engine=openai)."""
    coder_max_ongoing_requests: int = Field(default=4, ge=1)
    """Diagram requests one coder replica works on at once."""
    coder_max_queued_requests: int = Field(default=16, ge=-1)
    """Diagram requests queued per caller before 503 (-1: unbounded; 0 means 1)."""
    validator_replicas: int = Field(default=1, ge=1)
    """Replicas of the validator deployment (quiz answering and checks)."""
    validator_num_cpus: float = Field(default=0.5, ge=0)
    """Ray CPUs per validator replica."""
    validator_max_ongoing_requests: int = Field(default=8, ge=1)
    """Evaluations one validator replica works on at once."""
    validator_max_queued_requests: int = Field(default=32, ge=-1)
    """Evaluations queued per caller before 503 (-1: unbounded; 0 means 1)."""


class TrainLoRAConfig(Section):
    """LoRA adapters (peft) instead of full fine-tuning."""

    enabled: bool = False
    """Train LoRA adapters on the target modules and freeze everything else."""
    r: int = Field(default=16, ge=1)
    """Rank of the adapters."""
    alpha: int = Field(default=32, ge=1)
    """Scaling numerator (the update is scaled by alpha / r)."""
    dropout: float = Field(default=0.05, ge=0.0, lt=1.0)
    """Dropout on the adapter input."""
    target_modules: list[str] = Field(
        default_factory=lambda: ["q_proj", "k_proj", "v_proj", "o_proj"]
    )
    """Module names (suffixes) that get adapters; the default is the language model's attention."""


class TrainDeepSpeedConfig(Section):
    """DeepSpeed ZeRO for the training workers (otherwise PyTorch DDP)."""

    enabled: bool = False
    """Train with DeepSpeed ZeRO when the workers have CUDA (see allow_cpu); otherwise DDP."""
    zero_stage: Literal[2, 3] = 3
    """ZeRO stage: 2 shards optimizer states and gradients, 3 also the parameters."""
    offload_optimizer: bool = False
    """Keep optimizer states in CPU memory (ZeRO-Offload; DeepSpeed builds its CPU Adam op on first
    use)."""
    offload_params: bool = False
    """Keep parameters in CPU memory between uses (ZeRO stage 3 only)."""
    allow_cpu: bool = False
    """Also use DeepSpeed on CPU-only workers (gloo; slow, for testing the path): off trains CPU
    workers with DDP."""
    overlap_comm: bool = True
    """Overlap gradient reduction with the backward pass."""
    bucket_size: int = Field(default=50_000_000, ge=1_000)
    """Elements per reduce / all-gather bucket."""


class TrainDataConfig(Section):
    """Which accepted rows become training samples, and the data mix."""

    min_r_inv: float | None = Field(default=None, ge=0.0, le=1.0)
    """Keep rows whose validator share of quizzes answered right is at least this; empty keeps all
    (rows without r_inv are dropped when set)."""
    subjects: list[str] = Field(default_factory=list)
    """Keep only these subjects ('Physics', 'Math', ...; case-insensitive); empty keeps all."""
    multimodal_question: bool = True
    """Ask the problem's multimodal_question (rewritten to rely on the figure) when it has one, else
    its question."""
    caption_share: float = Field(default=0.0, ge=0.0, le=1.0)
    """Share of rows that also give a caption sample (image -> the coder's plan of what the figure
    shows)."""
    repeat: int = Field(default=1, ge=1, le=1000)
    """Times the filtered rows are repeated per epoch (small data sets)."""
    max_rows: int | None = Field(default=None, ge=1)
    """Use at most this many training rows (after filters and the held-out split)."""
    shuffle_buffer: int = Field(default=256, ge=0)
    """Local shuffle buffer of each worker's stream in samples (0: no shuffle)."""


class TrainEvalConfig(Section):
    """Answer accuracy on held-out multimodal questions before and after fine-tuning."""

    enabled: bool = True
    """Evaluate before the first step and after the last one."""
    data: str | None = None
    """Held-out shards (a run, folder, glob or file); empty holds out holdout_share of the training
    rows."""
    holdout_share: float = Field(default=0.1, ge=0.0, lt=1.0)
    """Share of rows held out for evaluation (by a hash of the problem id) when data is empty."""
    max_rows: int = Field(default=64, ge=1)
    """Most held-out rows evaluated."""
    max_new_tokens: int = Field(default=64, ge=1)
    """Longest generated answer in tokens (greedy decoding)."""
    batch_size: int = Field(default=8, ge=1)
    """Questions generated at once per worker."""
    rel_tol: float = Field(default=0.02, ge=0.0, lt=1.0)
    """Relative tolerance when a numeric answer is compared with the reference number."""


class TrainConfig(Section):
    """Fine-tuning a vision-language model on accepted data (sciray train): Ray Train workers, DDP
    or DeepSpeed."""

    model: str = "tiny-qwen2-vl"
    """Image-text-to-text model: a local folder or model id (Qwen2-VL, Qwen2.5-VL, Qwen3-VL class),
    or 'tiny-qwen2-vl' (a tiny random model built offline into the model cache)."""
    num_workers: int = Field(default=2, ge=1)
    """Ray Train workers (one per GPU with use_gpu)."""
    use_gpu: bool = False
    """One GPU per worker (NCCL); off trains on CPU (gloo)."""
    resources_per_worker: dict[str, float] = Field(default_factory=dict)
    """Ray resources of each worker, e.g. {CPU: 8, GPU: 1}; empty: Ray Train's default (1 CPU, plus
    1 GPU with use_gpu)."""
    accelerator_type: str | None = None
    """Ray accelerator type the workers need (e.g. 'H100'); empty for any."""
    storage_path: str | None = None
    """Where Ray Train writes checkpoints (local path or fsspec URL such as s3://bucket/train);
    empty: the --out folder."""
    run_name: str = "sciray-train"
    """Run folder under storage_path; a rerun with the same name resumes from its latest checkpoint."""
    resume_from: str | None = None
    """A checkpoint folder to start from when the run folder has none yet (e.g. another run's
    checkpoint)."""
    max_steps: int | None = Field(default=None, ge=1)
    """Optimizer steps in all (counting steps of earlier runs that this one resumes); empty: train
    for epochs."""
    epochs: int = Field(default=1, ge=1)
    """Passes over the data when max_steps is empty."""
    micro_batch_size: int = Field(default=1, ge=1)
    """Samples per worker per forward pass."""
    grad_accum: int = Field(default=8, ge=1)
    """Micro-batches per optimizer step (global batch = micro_batch_size x grad_accum x
    num_workers)."""
    lr: float = Field(default=1e-5, gt=0)
    """Peak learning rate (AdamW)."""
    weight_decay: float = Field(default=0.0, ge=0)
    """AdamW weight decay."""
    warmup_steps: int = Field(default=0, ge=0)
    """Linear warm-up steps before the schedule."""
    lr_schedule: Literal["constant", "linear", "cosine"] = "cosine"
    """Learning-rate decay after warm-up (to 10% of lr for linear and cosine; needs max_steps)."""
    max_grad_norm: float | None = Field(default=1.0, gt=0)
    """Gradient clipping norm; empty: no clipping."""
    max_length: int = Field(default=2048, ge=32)
    """Longest sample in tokens (image tokens included); longer samples lose the end of their
    answer."""
    min_pixels: int | None = Field(default=None, ge=64)
    """Smallest image size in pixels the processor resizes to; empty keeps the model's setting."""
    max_pixels: int | None = Field(default=None, ge=64)
    """Largest image size in pixels (bounds image tokens per sample); empty keeps the model's
    setting."""
    bf16: bool = False
    """bfloat16 weights and compute (GPUs); off trains in float32."""
    activation_checkpointing: bool = False
    """Recompute activations in the backward pass (less memory, about a third more compute)."""
    freeze_vision: bool = False
    """Do not train the vision encoder."""
    seed: int = 0
    """Seed of weights init (tiny model), adapters, shuffling and the held-out split."""
    log_every: int = Field(default=1, ge=1)
    """Report loss, learning rate and tokens/s to Ray Train every this many steps."""
    checkpoint_every: int | None = Field(default=None, ge=1)
    """Also checkpoint every this many steps (one is always written at the end)."""
    keep_checkpoints: int = Field(default=2, ge=1)
    """Checkpoints kept in the run folder (the latest ones)."""
    deepspeed: TrainDeepSpeedConfig = Field(default_factory=TrainDeepSpeedConfig)
    """DeepSpeed ZeRO."""
    lora: TrainLoRAConfig = Field(default_factory=TrainLoRAConfig)
    """LoRA adapters."""
    data: TrainDataConfig = Field(default_factory=TrainDataConfig)
    """Filters and data mix."""
    eval: TrainEvalConfig = Field(default_factory=TrainEvalConfig)
    """Held-out evaluation."""


class SciRayConfig(Section):
    """The whole SciRay configuration."""

    ray: RayConfig = Field(default_factory=RayConfig)
    """Ray cluster connection."""
    problems: ProblemsConfig = Field(default_factory=ProblemsConfig)
    """Problem loading."""
    render: RenderConfig = Field(default_factory=RenderConfig)
    """Sandboxed rendering."""
    coder: CoderConfig = Field(default_factory=CoderConfig)
    """ImgCoder: engine, model, sampling, repair."""
    validator: ValidatorConfig = Field(
        default_factory=lambda: ValidatorConfig(model="qwen2.5-coder-1.5b", mode="ocr")
    )
    """Inverse validation (quiz answering from the image)."""
    judge: JudgeConfig = Field(default_factory=JudgeConfig)
    """LMM-as-judge scoring."""
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    """PSNR / SSIM / CLIP / FID against reference images."""
    synth: SynthConfig = Field(default_factory=SynthConfig)
    """The synthesis pipeline (sciray synth)."""
    serve: ServeConfig = Field(default_factory=ServeConfig)
    """The HTTP service (sciray serve)."""
    train: TrainConfig = Field(default_factory=TrainConfig)
    """Fine-tuning a vision-language model on accepted data (sciray train)."""

    @model_validator(mode="after")
    def _gpus_from_the_engines(self) -> SciRayConfig:
        """Stages and Serve replicas that run an engine hold what that engine holds (one place:
        its ``tensor_parallel_size``); a stage count that contradicts it is refused."""
        engines = (
            ("synth.coder", self.synth.coder, self.coder),
            ("synth.validate_stage", self.synth.validate_stage, self.validator),
        )
        for where, stage, llm in engines:
            if stage.num_gpus is None:
                stage.num_gpus = llm.engine_gpus
            elif llm.engine == "vllm" and stage.num_gpus >= 1 and stage.num_gpus != llm.engine_gpus:
                raise ValueError(
                    f"{where}.num_gpus ({stage.num_gpus:g}) disagrees with the engine's "
                    f"tensor_parallel_size ({llm.tensor_parallel_size}): leave {where}.num_gpus "
                    "empty, an engine's GPUs come from its tensor_parallel_size"
                )
        if self.synth.render.num_gpus is None:
            self.synth.render.num_gpus = 0.0
        if self.serve.coder_num_gpus is None:
            self.serve.coder_num_gpus = self.coder.engine_gpus
        return self

    @model_validator(mode="after")
    def _critique_from_the_validator(self) -> SciRayConfig:
        """``coder.critique_rounds`` left empty: one round where the validator sees images."""
        sees = self.validator.mode == "vision" and self.validator.engine in ("openai", "vllm")
        if self.coder.critique_rounds is None:
            self.coder.critique_rounds = 1 if sees else 0
        elif self.coder.critique_rounds and self.validator.mode != "vision":
            raise ValueError(
                "coder.critique_rounds needs a validator that sees the picture: set "
                "validator.mode=vision (an 'openai' or 'vllm' vision model) or "
                "coder.critique_rounds=0"
            )
        return self
