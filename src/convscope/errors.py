"""Errors a user can fix: the CLI prints them as one line and exits with status 1."""


class ConvscopeError(Exception):
    """Base class for problems caused by input, files or arguments, not by a bug."""


class DataError(ConvscopeError):
    """A dataset file is missing, damaged or not what it claims to be."""


class RunError(ConvscopeError):
    """A run directory is missing, incomplete or cannot be used as asked."""


def check_int(name: str, value, low: int = 1, where: str = "train") -> int:
    """Validate an integer parameter with scikit-learn's error shape."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConvscopeError(
            f"The '{name}' parameter of {where} must be an int in the range [{low}, inf). "
            f"Got {value!r} instead."
        )
    return value
