"""The project's exceptions for broken domain rules.

A service raises PortalError with a translated, user-facing sentence (one of
the constants of a services module, which tests assert on) and, where it
helps, a `code`. Views do not catch it themselves: `core.views.handles_portal_errors`
turns it into a message and a redirect, and ConflictError into a message and
a full reload of the page.
"""


class PortalError(Exception):
    def __init__(self, message, *, code: str = ""):
        super().__init__(str(message))
        self.message = message
        self.code = code


class ConflictError(PortalError):
    """Somebody else saved the same thing since this form was loaded."""
