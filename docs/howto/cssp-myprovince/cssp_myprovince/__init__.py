"""A FICTIONAL county's community service plan for cssp, as data only.

This package holds ``profile.toml`` and nothing that runs: cssp finds the file
through the entry point ``myprovince = "cssp_myprovince:profile.toml"`` and
reads it as data, without importing this package.
"""
