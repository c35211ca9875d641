"""Notification channels (e-mail, WeCom, DingTalk) per user and per department.

Everyone manages their own; the school office manages the departments'. Addresses of robots hold their
keys, so they are shown masked.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from careledger.accounts import policy
from careledger.api.serializers import StrictSerializer
from careledger.escalations.models import Department
from careledger.notify import services
from careledger.notify.models import Channel, ChannelKind, mask_address


class ChannelSerializer(serializers.ModelSerializer):
    address = serializers.SerializerMethodField()
    owner = serializers.SerializerMethodField()

    class Meta:
        model = Channel
        fields = ["id", "kind", "address", "owner", "is_active"]

    def get_address(self, channel: Channel) -> str:
        return mask_address(channel.kind, channel.address)

    def get_owner(self, channel: Channel) -> dict:
        if channel.department_id:
            return {"department": channel.department.code}
        return {"user": channel.user.username}


class ChannelInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=[c for c in ChannelKind.choices if c[0] != ChannelKind.INBOX])
    address = serializers.CharField(max_length=500)
    secret = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    department = serializers.CharField(required=False, allow_blank=True, default="")


class ChannelListView(generics.ListAPIView):
    serializer_class = ChannelSerializer

    def get_queryset(self):
        return policy.channels_for(self.request.user).order_by("id")

    @extend_schema(request=ChannelInputSerializer, responses={201: ChannelSerializer})
    def post(self, request):
        data = ChannelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        department = None
        if v["department"]:
            if not policy.can_configure_department_channels(request.user):
                raise PermissionDenied("只有学工处可以配置职能部门的渠道。")
            department = Department.objects.filter(code=v["department"]).first()
            if department is None:
                raise ValidationError({"department": [_("职能部门不存在。")]})
        channel = services.channel_add(
            actor=request.user,
            user=None if department else request.user,
            department=department,
            kind=v["kind"],
            address=v["address"],
            secret=v["secret"],
        )
        return Response(ChannelSerializer(channel).data, status=status.HTTP_201_CREATED)


class ChannelDeactivateView(APIView):
    @extend_schema(request=None, responses=ChannelSerializer)
    def post(self, request, pk: int):
        channel = policy.channels_for(request.user).filter(pk=pk).first()
        if channel is None:
            policy.audit_denied(request.user, object_type="channel", object_id=pk, why="scope")
            raise Http404("channel")
        channel = services.channel_set_active(actor=request.user, channel=channel, is_active=False)
        return Response(ChannelSerializer(channel).data)
