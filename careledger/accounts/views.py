from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careledger.accounts import importers as staff_import
from careledger.accounts import policy, services
from careledger.accounts.forms import GrantForm, UserCreateForm, UserEditForm
from careledger.accounts.models import Grant
from careledger.core.uploads import run_upload_import


@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    users = policy.users_for(request.user).prefetch_related("grants__college", "grants__classes", "grants__department")
    q = request.GET.get("q", "").strip()
    if q:
        users = users.filter(username__icontains=q) | users.filter(name__contains=q)
    page = Paginator(users.order_by("username"), 30).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "q": q})


@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password"],
                name=data["name"],
                phone=data["phone"],
                grants=[data["spec"]],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已创建账号 %(u)s。") % {"u": user.username})
            return redirect("accounts:user-edit", pk=user.pk)
    return render(request, "accounts/user_create.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    target = policy.get_user_for(request.user, pk)
    form = UserEditForm(request.POST or None, initial={"name": target.name, "phone": target.phone})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(
                actor=request.user, user=target, name=form.cleaned_data["name"], phone=form.cleaned_data["phone"]
            )
            if form.cleaned_data["password"]:
                services.user_set_password(actor=request.user, user=target, password=form.cleaned_data["password"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("accounts:user-edit", pk=target.pk)
    grants = target.grants.select_related("college", "department").prefetch_related("classes")
    return render(
        request,
        "accounts/user_edit.html",
        {"target": target, "form": form, "grants": grants, "grant_form": GrantForm(actor=request.user)},
        status=400 if form.errors else 200,
    )


@require_POST
def user_active(request: HttpRequest, pk: int) -> HttpResponse:
    target = policy.get_user_for(request.user, pk)
    try:
        services.user_set_active(actor=request.user, user=target, active=request.POST.get("active") == "1")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("accounts:user-edit", pk=target.pk)


@require_http_methods(["GET", "POST"])
def grant_add(request: HttpRequest, pk: int) -> HttpResponse:
    target = policy.get_user_for(request.user, pk)
    form = GrantForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_add(actor=request.user, user=target, spec=form.cleaned_data["spec"])
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("已添加授权。"))
            return redirect("accounts:user-edit", pk=target.pk)
    return render(
        request, "accounts/grant_add.html", {"target": target, "form": form}, status=400 if form.errors else 200
    )


@require_POST
def grant_delete(request: HttpRequest, pk: int) -> HttpResponse:
    grant = (
        Grant.objects.filter(pk=pk, user__in=policy.users_for(request.user)).select_related("user", "college").first()
    )
    if grant is None:
        policy.audit_denied(request.user, object_type="grant", object_id=pk, why="scope")
        raise Http404("grant")
    try:
        services.grant_remove(actor=request.user, grant=grant)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    return redirect("accounts:user-edit", pk=grant.user_id)


@require_http_methods(["GET", "POST"])
def staff_import_page(request: HttpRequest) -> HttpResponse:
    return run_upload_import(
        request,
        importer=staff_import.staff_import,
        template="accounts/staff_import.html",
        columns=staff_import.STAFF_COLUMNS,
    )


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "message_dict"):
        for name, errs in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errs)
    else:
        form.add_error(None, exc.messages)
