"""Data in and out: problem loading with quarantine, Arrow schemas, Parquet shards."""
