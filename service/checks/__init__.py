"""Check that what a summary says is in the article, sentence by sentence."""
