"""Rule-based "What You Need To Know" box: features, rewrites, extractor."""
