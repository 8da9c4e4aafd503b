"""Countries (ISO 3166-1 alpha-2), region recovery and country grouping."""
