"""API views for 过程材料 (a case's attachments): list, upload, download — the case text's need-to-know."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from careledger.accounts import policy
from careledger.api import case_serializers as cs
from careledger.api.case_views import _require_text
from careledger.cases import attachments
from careledger.cases.attachment_views import file_response


class CaseAttachmentsView(generics.ListAPIView):
    serializer_class = cs.AttachmentSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        case = policy.get_case_for(self.request.user, self.kwargs["pk"])
        _require_text(self.request.user, case)
        return case.attachments.select_related("uploaded_by").order_by("-uploaded_at", "-id")

    @extend_schema(request=cs.AttachmentUploadSerializer, responses={201: cs.AttachmentSerializer})
    def post(self, request, pk: int):
        case = policy.get_case_for(request.user, pk)
        data = cs.AttachmentUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        contact = None
        if v["contact"] is not None:
            contact = case.contacts.filter(pk=v["contact"]).first()
            if contact is None:
                raise ValidationError({"contact": [_("辅导记录不属于该档案。")]})
        attachment = attachments.attachment_add(
            actor=request.user, case=case, upload=v["file"], title=v["title"], contact=contact
        )
        return Response(cs.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentDownloadView(APIView):
    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk: int):
        attachment = policy.get_attachment_for(request.user, pk)
        _require_text(request.user, attachment.case)
        return file_response(attachment, attachments.attachment_read(actor=request.user, attachment=attachment))
