"""`make bench`: the shop's figures, each measured beside its reference in the same run.

Not part of `make test`; see the README's "Benchmarks" section.
"""
