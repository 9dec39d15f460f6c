"""The explain layer: the gap to the next tier and a verified improvement path."""
