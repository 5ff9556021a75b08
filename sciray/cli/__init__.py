"""The ``sciray`` command line. Ray-using code is imported lazily inside commands."""
