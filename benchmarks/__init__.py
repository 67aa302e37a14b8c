"""Benchmarks for newscrawl: a synthetic copy of the site, baselines and one runner.

Nothing here runs in the test suite; see benchmarks/README.md.
"""
