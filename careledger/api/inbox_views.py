"""The caller's in-app messages (api.md, "Notifications"): only their own, so no object scope is needed."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from careledger.api.serializers import StrictSerializer
from careledger.core import clock
from careledger.notify import services


class InboxItemSerializer(serializers.Serializer):
    """One inbox message: ``id`` is the inbox item's (what ``read`` takes); title and body are distinct."""

    id = serializers.IntegerField(source="pk")
    at = serializers.SerializerMethodField()
    kind = serializers.CharField(source="message.kind")
    title = serializers.CharField(source="message.subject")
    body = serializers.CharField(source="message.body")
    link = serializers.CharField(source="message.link")
    read = serializers.SerializerMethodField()

    def get_at(self, item) -> str:
        return clock.local_time(item.message.created_at).isoformat()

    def get_read(self, item) -> bool:
        return item.read_at is not None


class InboxReadSerializer(StrictSerializer):
    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, max_length=1000)
    all = serializers.BooleanField(required=False, default=False)


class InboxView(generics.ListAPIView):
    serializer_class = InboxItemSerializer

    @extend_schema(parameters=[OpenApiParameter("unread", bool)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        qs = services.inbox_for(self.request.user)
        unread = self.request.query_params.get("unread", "").lower()
        if unread in ("true", "1", "yes"):
            qs = qs.filter(read_at__isnull=True)
        elif unread in ("false", "0", "no"):
            qs = qs.filter(read_at__isnull=False)
        return qs


class InboxReadView(APIView):
    @extend_schema(request=InboxReadSerializer)
    def post(self, request):
        data = InboxReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ids, everything = data.validated_data.get("ids"), data.validated_data["all"]
        if everything == bool(ids):
            raise ValidationError({"ids": ['请给出 ids，或发送 "all": true（二者选一）。 / Send ids or all: true.']})
        marked = services.mark_read(request.user, None if everything else ids)
        return Response({"marked": marked, "unread": services.unread_count(request.user)})
