"""Request parsing and OPTIONS answers that never fail (SEC-49).

Every API view reads ``request.data`` as a mapping; a JSON body that is an array, a string, a number or
``null`` is refused here, once, as a 400, instead of surfacing as an AttributeError (a 500) in whichever
view happens to call ``request.data.get``. OPTIONS describes the endpoint without introspecting
serializers (DRF's default metadata asserts on views without a ``serializer_class``).
"""

from rest_framework.exceptions import ParseError
from rest_framework.metadata import BaseMetadata
from rest_framework.parsers import JSONParser

NOT_AN_OBJECT = "请求体须为 JSON 对象。 / The request body must be a JSON object."
NUL_CHARACTER = "请求中含有空字符（\\x00）。 / The request contains a NUL character."


class ObjectJSONParser(JSONParser):
    """JSON whose top level is an object; anything else is a 400 before any view sees it."""

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        if not isinstance(data, dict):
            raise ParseError(NOT_AN_OBJECT)
        if _has_nul(data):
            raise ParseError(NUL_CHARACTER)
        return data


def _has_nul(value) -> bool:
    """NUL cannot be stored (PostgreSQL text refuses it) and is never meaningful input."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class PlainMetadata(BaseMetadata):
    """OPTIONS: name, description, renderers and parsers; no serializer introspection, so no 500."""

    def determine_metadata(self, request, view):
        return {
            "name": view.get_view_name(),
            "description": view.get_view_description(),
            "renders": [renderer.media_type for renderer in view.renderer_classes],
            "parses": [parser.media_type for parser in view.parser_classes],
        }
