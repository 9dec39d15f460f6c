"""The engine layer: scoring methods, the compiled plan in stages, inputs, results, evaluate()."""
