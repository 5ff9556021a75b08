"""Finding the Parquet shards to train on: a run folder (its accepted/), a folder, a glob or a file."""

from __future__ import annotations

import pyarrow.parquet as pq
from fsspec.core import url_to_fs

from sciray.errors import UserError

REQUIRED_COLUMNS = ("problem_id", "image", "problem")

HOW = "give a run folder (with accepted/), a folder of Parquet shards, a glob or a .parquet file"


def find_shards(path: str, what: str = "--data") -> list[str]:
    """Shard paths (URLs keep their protocol) under ``path``; a UserError when there are none."""
    fs, root = url_to_fs(path)
    if any(ch in path for ch in "*?["):
        found = fs.glob(root)
    elif fs.isdir(root):
        if fs.isdir(f"{root}/accepted"):
            root = f"{root}/accepted"
        found = fs.glob(f"{root}/*.parquet")
    elif fs.exists(root):
        found = [root]
    else:
        raise UserError(f"{what} {path} does not exist; {HOW}")
    found = sorted(p for p in found if not p.rsplit("/", 1)[-1].startswith("."))  # .tmp: unfinished
    if not found:
        raise UserError(f"{what} {path} holds no Parquet shards (*.parquet); {HOW}")
    with fs.open(found[0], "rb") as f:
        try:
            names = set(pq.read_schema(f).names)
        except Exception as exc:  # noqa: BLE001 - any unreadable file is the user's input
            raise UserError(
                f"{what}: {found[0]} is not a readable Parquet file ({exc}); {HOW}"
            ) from None
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise UserError(
            f"{what}: {found[0]} is not a SciRay shard (no {', '.join(missing)} column); "
            "train on the accepted/ shards that 'sciray synth' writes"
        )
    protocol = fs.protocol if isinstance(fs.protocol, str) else fs.protocol[0]
    return found if protocol in ("file", "local") else [fs.unstrip_protocol(p) for p in found]
