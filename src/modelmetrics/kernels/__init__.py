"""Numba kernels: private, pure, no validation, fixed dtypes, no Python objects.

One module per family. Kernels read whatever numeric dtype they are given (the public layer has
already checked it), compute in float64 or int64, and write into arrays or return tuples of
numbers. Every kernel has a slow, obviously-correct twin in ``tests/reference/``.
"""
