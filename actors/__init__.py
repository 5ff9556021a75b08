"""sciray.actors: thin Ray wrappers (map_batches callable classes, actor options from config)
over the plain classes of the core ``sciray`` package."""
