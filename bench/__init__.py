"""Benchmarks: each module runs on its own (`python bench/soak.py --help`); the soak test
imports bench.soak as a package module."""
