"""Real-browser quality gates: tracking, storage, CSP, accessibility and links on the built site.

A package (not a bare folder) so that its ``conftest.py`` does not shadow ``tests/conftest.py``.
"""
