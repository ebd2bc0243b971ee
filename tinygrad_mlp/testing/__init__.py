"""Tools for testing code built on tinygrad_mlp: `strategies` (needs hypothesis).

>>> from tinygrad_mlp.testing import strategies as tst

Nothing is imported here, so `import tinygrad_mlp.testing` costs nothing and needs no hypothesis.
"""
