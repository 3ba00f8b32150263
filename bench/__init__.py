"""marsad's benchmarks: `make bench` runs them all (`python -m bench.run`) and writes
docs/benchmarks.md and docs/benchmarks.json.

A benchmark is a module `bench/bench_<name>.py` with `run(scale: str = "full") -> dict`; it is
not a test and never fails the build. Shared machines are noisy, so figures are medians of
several runs and, where they can be, ratios of two things measured in the same run.
"""
