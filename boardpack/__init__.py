"""boardpack: committee papers on inspection recommendations, built from YAML data.

The public API is `build()` and `check()`; the command line (`boardpack`, or
`python generate.py`) is a thin layer over them.
"""

from ._version import __version__
from .build import FORMATS, Built, build
from .chain import Checked, check
from .errors import BoardpackError, DataError, Problem, RenderError, UsageError

__all__ = ["FORMATS", "BoardpackError", "Built", "Checked", "DataError", "Problem", "RenderError", "UsageError",
           "__version__", "build", "check"]
