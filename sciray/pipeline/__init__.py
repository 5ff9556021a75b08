"""The synthesis pipeline's plain parts: rows, stages, shard writer, run report (the Ray Data source
is in sciray.cluster.source)."""
