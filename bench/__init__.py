"""Benchmarks behind `make bench`: each compares Kizuna's path with a hand-written baseline
measured in the same process and run."""
