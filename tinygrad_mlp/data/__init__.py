"""Datasets and the small chores around them: toy 2-D problems, the 8x8 digits, MNIST from IDX
files, a train/test split, standardization, one-hot targets and a minibatch iterator.

One module per concern, every public name re-exported here (``data.moons``, ``data.batches``):

- :mod:`.synthetic`: ``xor``, ``moons``, ``circles``, ``spirals``;
- :mod:`.bundled`: ``digits`` (shipped with the package);
- :mod:`.mnist`: ``load_mnist`` (IDX files from a folder);
- :mod:`.prepare`: ``train_test_split``, ``standardize``, ``one_hot``;
- :mod:`.batching`: ``batches``;
- ``to_pm1`` comes from :mod:`tinygrad_mlp.labels`, where every label convention lives.

Pure numpy; the package's argument validators (:mod:`tinygrad_mlp.checks`) and label conventions
(:mod:`tinygrad_mlp.labels`) are all it uses of the rest of the package.

Conventions
-----------
- Inputs ``X`` are float64 arrays of shape ``(n, features)``: one row per example, one column per
  neuron of the input layer.
- Class labels ``y`` are 1-D int64 arrays holding ``0 .. k-1``. Binary problems use 0/1; a loss
  that wants -1/+1 targets (the hinge loss) gets them from :func:`to_pm1`.
- Randomness comes from a ``seed``: an int (the same int gives the same data, every time) or a
  ``numpy.random.Generator`` (which is advanced, so successive calls differ reproducibly).

>>> from tinygrad_mlp import data
>>> X, y = data.moons(n=100, noise=0.1, seed=0)
>>> X.shape, X.dtype, sorted(set(y.tolist()))
((100, 2), dtype('float64'), [0, 1])
"""

from __future__ import annotations

from ..labels import to_pm1
from .batching import batches
from .bundled import digits
from .mnist import load_mnist
from .prepare import one_hot, standardize, train_test_split
from .synthetic import circles, moons, spirals, xor

__all__ = [
    "xor",
    "moons",
    "circles",
    "spirals",
    "digits",
    "load_mnist",
    "to_pm1",
    "train_test_split",
    "standardize",
    "one_hot",
    "batches",
]
