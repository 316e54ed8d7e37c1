"""The theory-of-change model of a CTG renewal: model, graph, coherence checks, files."""
