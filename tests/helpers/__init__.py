"""Helpers shared by the tests: `numeric` (finite-difference gradients), `drawing` (reading
rendered graphs back). Imported as `from tests.helpers import numeric` (pytest puts the
repository root on the path: `pythonpath = ["."]`)."""
