"""Content negotiation that never refuses: the API answers JSON (or the file asked for), whatever
``Accept`` says, rather than 406 before authentication has even been checked."""

from rest_framework.negotiation import DefaultContentNegotiation


class JsonAlways(DefaultContentNegotiation):
    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = renderers[0]
        return renderer, renderer.media_type
