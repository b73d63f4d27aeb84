"""HTTP layer: problem+json errors, health probes and the versioned APIs."""
