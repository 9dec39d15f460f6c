"""Test-wide hypothesis settings: no per-example deadline, since CI machines vary in speed."""

from hypothesis import settings

settings.register_profile("greenscore", deadline=None, print_blob=True)
settings.load_profile("greenscore")
