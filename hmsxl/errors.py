"""The project's own exceptions: each carries a message fit to show a user as is."""


class HmsxlError(Exception):
    """Base class: a clear, one-line (or few-line) reason for the user."""

    exit_code = 1


class ConfigError(HmsxlError):
    """`unit.toml` is missing, unreadable or wrong.

    `problems` holds one line per mistake, each naming the key path and what is allowed.
    """

    exit_code = 2

    def __init__(self, path, problems):
        self.path = str(path)
        self.problems = list(problems)
        # One line each: a line break in a value is shown as a backslash and n.
        lines = [f"{self.path}: {p}".replace("\r", "\\r").replace("\n", "\\n") for p in self.problems]
        super().__init__("\n".join(lines))


class OutputExistsError(HmsxlError):
    """Refusing to overwrite files without --force."""
