"""Arrow tables between Ray processes as Arrow IPC streams.

The pipeline sends problems in small blocks (one coder batch, one row by default, so finished
rows flow on at once), and its rows carry nested structs (problem, verdict, timings). Ray's own reducer for ``pa.Table``
works around a slicing bug of Arrow's pickling (ARROW-10739) by walking every child array in
Python to copy a slice's buffers: about 4.8 ms for one such row, more CPU than the pipeline's
other work on it, where Arrow's IPC writer truncates slices the same way in C++ in about 0.2 ms
(and Ray itself falls back to IPC for the types its walk does not handle). ``install`` registers
the IPC form in the calling process; ``init_ray`` calls it in the driver and names it as the
job's ``worker_process_setup_hook``, so every worker of the job does the same.
"""

from __future__ import annotations

HOOK = "sciray.cluster.arrow_wire.install"


def table_to_ipc(table):
    """A table (or a slice of one: only the slice's rows) as one IPC stream buffer."""
    import pyarrow as pa

    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue()


def table_from_ipc(buffer):
    import pyarrow as pa

    with pa.ipc.open_stream(buffer) as reader:
        return reader.read_all()


def install() -> None:
    """Serialize ``pa.Table`` as IPC in this Ray process (a worker setup hook)."""
    import pyarrow as pa
    from ray.util import register_serializer

    register_serializer(pa.Table, serializer=table_to_ipc, deserializer=table_from_ipc)
