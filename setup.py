# Everything is configured in pyproject.toml. This file exists for scrapyd-deploy, which builds
# the egg it uploads to Scrapyd with `setup.py bdist_egg` (and would otherwise write its own).
from setuptools import setup

setup()
