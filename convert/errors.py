"""The one error type the CLI turns into a one-line message and exit code 1."""


class ConvertError(Exception):
    """A user-facing failure: the message names the file and the cause."""

    def __init__(self, path, cause):
        super().__init__(f"{path}: {cause}")
        self.path = path
        self.cause = cause
