"""The affiliation resolver's pipelines: build it from the configured reference data, score it
against Paper Copilot's own countries, and store the scores in the warehouse."""
