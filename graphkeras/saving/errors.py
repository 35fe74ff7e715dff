"""The error raised for a file that cannot be read as what it claims to be."""


class FileFormatError(ValueError):
    """A saved file is truncated, corrupt, foreign or does not fit the model.

    It is a ``ValueError`` (as Keras raises for bad files); the message always
    starts with the file's path and says what is wrong, so a user with many
    checkpoints knows which one to look at.
    """

    def __init__(self, path, problem):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")
