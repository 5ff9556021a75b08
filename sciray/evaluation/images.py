"""Where the images to evaluate come from: a folder of ``<id>.png|jpg`` (the reference layout)
or a run's Parquet shards (rows with ``problem_id`` and an ``image`` struct {bytes, path})."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sciray.data.names import file_stem  # what ``sciray imgcoder`` names <stem>.png
from sciray.errors import UserError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")


@dataclass
class ImageEntry:
    """One image to evaluate, or why it is missing."""

    problem_id: str
    data: bytes | None = None
    source: str | None = None
    """File path or shard the image came from."""
    scene: dict | None = None
    """The renderer's scene, when the image came from a SciRay run."""
    scene_spec: dict | None = None
    """The scene description the image was drawn from (scene mode; ``validator.mode=scene``)."""
    error: str | None = None
    """Why ``data`` is None (missing file, unreadable shard row)."""


def _from_folder(folder: Path, ids: list[str]) -> dict[str, ImageEntry]:
    files: dict[str, Path] = {}
    for path in folder.iterdir():
        if path.suffix.lower() in IMAGE_SUFFIXES and path.is_file():
            files.setdefault(path.stem, path)
    out = {}
    for pid in ids:
        path = files.get(pid) or files.get(file_stem(pid))
        if path is None:
            out[pid] = ImageEntry(pid, error=f"no {pid}.png/.jpg in {folder}")
            continue
        try:
            out[pid] = ImageEntry(
                pid, data=path.read_bytes(), source=str(path), scene_spec=_side_spec(path)
            )
        except OSError as exc:
            out[pid] = ImageEntry(
                pid, source=str(path), error=f"cannot read {path}: {exc.strerror}"
            )
    return out


def _side_spec(image: Path) -> dict | None:
    """The scene description in the ``<id>.json`` that ``sciray imgcoder`` writes beside an image
    (None when there is none or it is not ours)."""
    import json

    side = image.with_suffix(".json")
    try:
        record = json.loads(side.read_text(encoding="utf-8")) if side.is_file() else None
    except (OSError, ValueError):
        return None
    spec = record.get("scene_spec") if isinstance(record, dict) else None
    return spec if isinstance(spec, dict) else None


def _from_shards(files: list[Path], ids: list[str]) -> tuple[dict[str, ImageEntry], list[str]]:
    """Entries found in the shards, and the shards that could not be read."""
    import json

    import pyarrow.parquet as pq

    wanted, out, unreadable = set(ids), {}, []
    for file in files:
        try:
            table = pq.read_table(file)
        except Exception as exc:  # a corrupt shard is reported; the others still count
            unreadable.append(f"{file.name} ({type(exc).__name__})")
            continue
        names = set(table.column_names)
        if "problem_id" not in names or "image" not in names:
            raise UserError(
                f"{file} has no problem_id/image columns; pass a folder of <id>.png or a SciRay run"
            )
        for row in table.select(
            [c for c in ("problem_id", "image", "scene", "scene_spec") if c in names]
        ).to_pylist():
            pid = str(row["problem_id"])
            if pid not in wanted or pid in out:
                continue
            image, scene = row.get("image") or {}, row.get("scene")
            if isinstance(scene, str):
                scene = json.loads(scene)
            spec = row.get("scene_spec")
            if isinstance(spec, str):
                spec = json.loads(spec)
            data = image.get("bytes") if isinstance(image, dict) else None
            out[pid] = ImageEntry(
                pid,
                data=data,
                source=str(file),
                scene=scene,
                scene_spec=spec if isinstance(spec, dict) else None,
                error=None if data else "the row has no image bytes",
            )
    return out, unreadable


def find_images(location: str, ids: list[str]) -> dict[str, ImageEntry]:
    """An entry for every id: the image bytes, or the reason it is missing. Never raises for a
    missing or unreadable image; raises ``UserError`` when ``location`` itself is unusable."""
    root = Path(location)
    if not root.exists():
        raise UserError(
            f"--images {location!r} does not exist; pass a folder of <id>.png images or a SciRay run folder"
        )
    unreadable: list[str] = []
    if root.is_file() and root.suffix == ".parquet":
        found, unreadable = _from_shards([root], ids)
    else:
        shards = (
            sorted(root.glob("accepted/*.parquet"))
            + sorted(root.glob("rejected/*.parquet"))
            + sorted(root.glob("*.parquet"))
        )
        found, unreadable = _from_shards(shards, ids) if shards else (_from_folder(root, ids), [])
    why = f"no image for it in {location}" + (
        f" (unreadable shards: {', '.join(unreadable)})" if unreadable else ""
    )
    return {pid: found.get(pid) or ImageEntry(pid, error=why) for pid in ids}
