"""boardpack: committee papers on inspection recommendations, built from YAML data.

The public API is `build()` and `check()`; the command line (`boardpack`, or
`python generate.py`) is a thin layer over them.
"""

__version__ = "0.1.0"

from .build import FORMATS, Built, Checked, build, check  # noqa: E402
from .errors import BoardpackError, DataError, Problem, RenderError, UsageError  # noqa: E402

__all__ = ["FORMATS", "BoardpackError", "Built", "Checked", "DataError", "Problem", "RenderError", "UsageError",
           "__version__", "build", "check"]
