"""Benchmarks of the glossary generator against a plain MkDocs + Material baseline.

``python -m bench`` (``make bench``) generates synthetic glossaries, builds our
site and the baseline on them in the same run, and reports the medians.
"""
