"""Side-by-side performance suite: tinygrad_mlp against micrograd, numpy by hand and PyTorch.

Run it with `python -m benchmarks` (`--quick`, `--only NAME`, `--write`). Every figure is a ratio
measured in one process, ours interleaved with the baseline, so that a busy machine slows both.
Benchmarks assert nothing; `tests/test_benchmark_baselines.py` checks that the baselines compute
what ours computes, so that the comparisons are fair.
"""
