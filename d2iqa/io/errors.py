"""The one exception family for unreadable or unsuitable CT input."""


class CTReadError(ValueError):
    """A CT file or folder cannot be read as CT slices.

    The message names the file and says what is wrong with it and how to fix it.

    Attributes
    ----------
    path : str
        The file or folder at fault.
    reason : str
        What is wrong, without the path.
    """

    def __init__(self, path, reason):
        self.path = str(path)
        self.reason = reason
        super().__init__(f'{self.path}: {reason}')
