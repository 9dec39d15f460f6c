"""The rubric layer: safe YAML with locations, safe formulas, the pydantic models, loading."""
