"""House-style profiles: what a fit on a newsroom's own archive decides for its box, served by name."""
