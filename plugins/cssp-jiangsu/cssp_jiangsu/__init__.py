"""Jiangsu's 14th Five-Year community service plan for cssp, as data only.

This package holds ``profile.toml`` and nothing that runs: cssp finds the file
through the entry point ``jiangsu = "cssp_jiangsu:profile.toml"`` and reads it
as data, without importing this package.
"""
