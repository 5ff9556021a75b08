"""Problems into the pipeline: one Ray Data read task per input file, streaming.

Each task runs SciRay's own loader on its file (every format, the quarantine rules), so bad rows
enter the pipeline as ``quarantined`` rows and are counted, never dropped. With several files, an
``IdClaims`` actor quarantines an id that another file already holds, as it is read. Problems already
written by an earlier run with the same config are skipped (resume). ``limit`` keeps the first N
valid problems (counted in file order on the driver, before the read).
"""

from __future__ import annotations

from collections.abc import Iterator

import pyarrow as pa
import ray
from ray.data.block import BlockMetadata
from ray.data.datasource import Datasource, ReadTask

from sciray.pipeline.claims import IdClaims
from sciray.pipeline.rows import arrow_row_schema, new_row, write_problem, write_state

_BLOCK_ROWS = 64


def problem_rows(
    location: str,
    *,
    skip: frozenset[str] = frozenset(),
    allow: frozenset[str] | None = None,
    samples: int = 1,
    reference_images: str | None = None,
    storage_options: dict | None = None,
    **limits: int | None,
) -> Iterator[dict]:
    """Pipeline rows for every row at ``location`` (plain Python, used by the read tasks); ``limits``
    are the loader's caps (``ProblemsConfig.read_limits()``: max_row_bytes, max_depth, ...)."""
    from sciray.coder.imgcoder import CoderResult
    from sciray.data.problems import Quarantined, iter_located

    kwargs = {"reference_images": reference_images, "storage_options": storage_options}
    kwargs.update((k, v) for k, v in limits.items() if v)
    for item, where in iter_located(location, **kwargs):
        if isinstance(item, Quarantined):
            yield new_row(problem_id=None, kind="quarantined", source=where, reason=item.reason)
            continue
        if item.id in skip or (allow is not None and item.id not in allow):
            continue
        row = new_row(problem_id=item.id, kind="problem", source=where)
        write_problem(row, item)
        write_state(row, CoderResult.start(item, samples))
        yield row


def settle_claims(chunk: list[dict], claim) -> list[dict]:
    """Turn the rows whose id another file already holds into quarantined rows (``claim`` is
    ``IdClaims.claim`` or a call to the actor hosting it)."""
    problems = [row for row in chunk if row["kind"] == "problem"]
    if not problems:
        return chunk
    owners = claim([(row["problem_id"], row["source"]) for row in problems])
    for row, owner in zip(problems, owners):
        if owner is not None:
            row.update(
                kind="quarantined",
                problem=None,
                state=None,
                images=None,
                done=None,
                reason=f"duplicate id {row['problem_id']!r} (first seen at {owner})",
            )
    return chunk


def _blocks(rows: Iterator[dict], claim=None) -> Iterator[pa.Table]:
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= _BLOCK_ROWS:
            yield pa.Table.from_pylist(
                settle_claims(chunk, claim) if claim else chunk, schema=arrow_row_schema()
            )
            chunk = []
    if chunk:
        yield pa.Table.from_pylist(
            settle_claims(chunk, claim) if claim else chunk, schema=arrow_row_schema()
        )


def _actor_claim(actor):
    return lambda pairs: ray.get(actor.claim.remote(pairs))


class ProblemSource(Datasource):
    """A Ray Data datasource over problem files (any format ``sciray.data`` reads)."""

    def __init__(self, location: str, **options):
        from sciray.data.sources import expand

        self.files = [src.name for src in expand(location, options.get("storage_options"))]
        self.options = options
        # Created here, on the driver, so the ledger lives as long as the run (an actor created
        # inside a planning task would die with it). One file needs none: the loader checks it.
        self._claims = ray.remote(num_cpus=0)(IdClaims).remote() if len(self.files) > 1 else None

    def estimate_inmemory_data_size(self) -> int | None:
        return None

    def get_read_tasks(
        self, parallelism: int, per_task_row_limit: int | None = None, data_context=None
    ) -> list[ReadTask]:
        claims = self._claims
        tasks = []
        for path in self.files:

            def read(path=path):
                return _blocks(
                    problem_rows(path, **self.options), _actor_claim(claims) if claims else None
                )

            tasks.append(
                ReadTask(
                    read,
                    BlockMetadata(
                        num_rows=None, size_bytes=None, exec_stats=None, input_files=(path,)
                    ),
                    schema=arrow_row_schema(),
                )
            )
        return tasks
