"""Problems into the pipeline: one Ray Data read task per input file, streaming.

Each task runs SciRay's own loader on its file (every format, the quarantine rules), so bad rows
enter the pipeline as ``quarantined`` rows and are counted, never dropped. Problems already
written by an earlier run with the same config are skipped (resume). ``limit`` keeps the first N
valid problems (counted in file order on the driver, before the read).
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
from ray.data.block import BlockMetadata
from ray.data.datasource import Datasource, ReadTask

from sciray.pipeline.rows import COLUMNS, new_row

_BLOCK_ROWS = 64
SCHEMA = pa.schema([(c, pa.bool_() if c == "done" else pa.string()) for c in COLUMNS])


def problem_rows(location: str, *, skip: frozenset[str] = frozenset(), allow: frozenset[str] | None = None,
                 samples: int = 1, reference_images: str | None = None, max_row_bytes: int | None = None,
                 storage_options: dict | None = None) -> Iterator[dict]:
    """Pipeline rows for every row at ``location`` (plain Python, used by the read tasks)."""
    from sciray.coder.imgcoder import CoderResult
    from sciray.data.problems import Quarantined, iter_problems

    kwargs = {"reference_images": reference_images, "storage_options": storage_options}
    if max_row_bytes:
        kwargs["max_row_bytes"] = max_row_bytes
    for item in iter_problems(location, **kwargs):
        if isinstance(item, Quarantined):
            yield new_row(problem_id=None, kind="quarantined", source=f"{item.file}:{item.line}", reason=item.reason)
            continue
        if item.id in skip or (allow is not None and item.id not in allow):
            continue
        yield new_row(problem_id=item.id, kind="problem", problem=item.model_dump_json(), done=False,
                      state=CoderResult.start(item, samples).model_dump_json())


def _blocks(rows: Iterator[dict]) -> Iterator[pa.Table]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= _BLOCK_ROWS:
            yield pa.Table.from_pylist(chunk, schema=SCHEMA)
            chunk = []
    if chunk:
        yield pa.Table.from_pylist(chunk, schema=SCHEMA)


class ProblemSource(Datasource):
    """A Ray Data datasource over problem files (any format ``sciray.data`` reads)."""

    def __init__(self, location: str, **options):
        from sciray.data.sources import expand

        self.files = [src.name for src in expand(location, options.get("storage_options"))]
        self.options = options

    def estimate_inmemory_data_size(self) -> int | None:
        return None

    def get_read_tasks(self, parallelism: int, per_task_row_limit: int | None = None, data_context=None) -> list[ReadTask]:
        tasks = []
        for path in self.files:
            def read(path=path):
                return _blocks(problem_rows(path, **self.options))

            tasks.append(ReadTask(read, BlockMetadata(num_rows=None, size_bytes=None, exec_stats=None,
                                                      input_files=(path,)), schema=SCHEMA))
        return tasks
