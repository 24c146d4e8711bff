"""The version of boardpack, alone in its module so that any module can read it without importing the package's API."""

__version__ = "0.1.0"
