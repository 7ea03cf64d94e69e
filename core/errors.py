"""The one exception for broken domain rules.

Views catch it and show its message to the user; its `message` is a
translated, user-facing sentence (one of the constants in a services module).
"""


class PortalError(Exception):
    def __init__(self, message, *, code: str = ""):
        super().__init__(str(message))
        self.message = message
        self.code = code


class ConflictError(PortalError):
    """Somebody else saved the same thing since this form was loaded."""
