"""hmsxl: run a Norwegian workplace's yearly HMS cycle through Excel workbooks.

The public API mirrors the command line: `load_config`, `generate`, `read_workbook`,
`consolidate`. Names are imported on first use, so that the command line and the
worker processes start without loading what they do not need.
"""

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "ConfigError": "errors", "HmsxlError": "errors", "OutputExistsError": "errors",
    "Unit": "config", "load_config": "config", "write_example_config": "config",
    "generate": "write", "year_occurrences": "wheel",
    "Problem": "read", "WorkbookData": "read", "read_workbook": "read",
    "UnreadableFile": "safety",
    "Consolidation": "consolidation", "consolidate": "consolidation", "carry_over": "consolidation",
    "PdfError": "pdf",
}
__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name):
    if name in _EXPORTS:
        module = importlib.import_module(f".{_EXPORTS[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'hmsxl' has no attribute {name!r}")


def __dir__():
    return __all__
