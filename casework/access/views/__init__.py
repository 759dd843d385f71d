"""The access pages: break-glass (``breakglass``) and the review of the audit trail (``review``)."""

from casework.access.views.breakglass import break_glass_page

__all__ = ["break_glass_page"]
