"""The `newsarchive` commands, one module per subject; newsarchive/cli.py adds them to the root group.

These modules never import newsarchive.cli: each defines plain click commands and groups.
"""
