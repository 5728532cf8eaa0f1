"""hmsxl: run a Norwegian workplace's yearly HMS cycle through Excel workbooks.

The public API mirrors the command line: `load_config`, `generate`, ...
"""

__version__ = "0.1.0"

from .config import Unit, load_config, write_example_config  # noqa: E402
from .errors import ConfigError, HmsxlError, OutputExistsError  # noqa: E402
from .write import generate  # noqa: E402
from .wheel import year_occurrences  # noqa: E402

__all__ = [
    "ConfigError", "HmsxlError", "OutputExistsError", "Unit", "generate", "load_config",
    "write_example_config", "year_occurrences", "__version__",
]

from .read import Problem, WorkbookData, read_workbook  # noqa: E402
from .safety import UnreadableFile  # noqa: E402

__all__ += ["Problem", "UnreadableFile", "WorkbookData", "read_workbook"]

from .consolidate import Consolidation, consolidate  # noqa: E402

__all__ += ["Consolidation", "consolidate"]
