"""The package version; always equal to the version of the ``soku`` crate."""

__version__ = "0.2.0"
