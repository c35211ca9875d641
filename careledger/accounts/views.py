from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from careledger.accounts import importers as staff_import
from careledger.accounts import lockout, login_security, policy, services, totp
from careledger.accounts.forms import GrantForm, OTPForm, UserCreateForm, UserEditForm
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
    context = {
        "target": target,
        "form": form,
        "grants": grants,
        "grant_form": GrantForm(actor=request.user),
        "locks": list(lockout.locks_of(target.get_username())),
        "totp_device": totp.device_of(target),
    }
    return render(request, "accounts/user_edit.html", context, status=400 if form.errors else 200)


@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    """Lift the sign-in locks on an account (decision 7)."""
    target = policy.get_user_for(request.user, pk)
    lifted = services.login_unlock(actor=request.user, user=target)
    messages.success(request, _("已解除 %(n)d 个登录锁定。") % {"n": lifted})
    return redirect("accounts:user-edit", pk=target.pk)


@require_POST
def user_otp_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a lost authenticator: the account enrols a new one at its next sign-in."""
    target = policy.get_managed_user_for(request.user, pk)
    if target.pk == request.user.pk:
        messages.error(request, _("不能重置自己的动态口令。"))
    elif services.totp_reset(actor=request.user, user=target):
        messages.success(request, _("已重置动态口令，对方下次登录时须重新绑定。"))
    return redirect("accounts:user-edit", pk=target.pk)


# --- the second sign-in step (SEC-3): only these pages and logout until it is done ---


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return wanted
    return reverse("home")


@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """Ask the code of a confirmed authenticator after the password. Wrong codes count as failed sign-ins:
    past the limit the session ends and the pair is locked (SEC-2)."""
    device = totp.confirmed_device(request.user)
    if (
        device is None
        or not login_security.otp_applies(request.user)
        or login_security.session_verified(request.session, device)
    ):
        return redirect(_next_url(request))  # nothing to ask
    if request.method == "POST" and lockout.is_locked(request.user.get_username(), lockout.client_address(request)):
        login_security.end_session(request, reason="lockout")
        return redirect("login")
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if totp.use_code(device, form.cleaned_data["otp"]):
            login_security.mark_verified(request, device)
            lockout.clear_failures(request.user.get_username(), lockout.client_address(request))
            return redirect(_next_url(request))
        if lockout.otp_failed(request.user, request):
            login_security.end_session(request, reason="lockout")
            return redirect("login")
        form.add_error("otp", _("动态口令不正确或已使用。"))
    return render(
        request,
        "accounts/otp_verify.html",
        {"form": form, "next": _next_url(request)},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator: the secret as text and as a QR code, then a first code to confirm it."""
    if totp.confirmed_device(request.user) is not None:
        return render(request, "accounts/otp_setup.html", {"enabled": True, "next": _next_url(request)})
    device = totp.pending_device(request.user)
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.totp_confirm(user=request.user, code=form.cleaned_data["otp"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            login_security.mark_verified(request, device)
            messages.success(request, _("动态口令已启用，以后登录时须输入。"))
            return redirect(_next_url(request))
    uri = totp.otpauth_uri(device)
    context = {
        "form": form,
        "secret": device.secret,
        "otpauth_uri": uri,
        # Our own SVG of our own otpauth URI (qrcode escapes nothing it did not make): safe to inline.
        "qr_svg": SafeString(totp.qr_svg(uri) or ""),  # nosec B703
        "required": login_security.otp_role_applies(request.user),
        "next": _next_url(request),
    }
    return render(request, "accounts/otp_setup.html", context, status=400 if form.errors else 200)


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
    denied = False
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_add(actor=request.user, user=target, spec=form.cleaned_data["spec"])
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            denied = True
        else:
            messages.success(request, _("已添加授权。"))
            return redirect("accounts:user-edit", pk=target.pk)
    return render(
        request,
        "accounts/grant_add.html",
        {"target": target, "form": form},
        status=403 if denied else 400 if form.errors else 200,
    )


@require_POST
def grant_delete(request: HttpRequest, pk: int) -> HttpResponse:
    grant = (
        Grant.objects.filter(pk=pk, user__in=policy.managed_users_for(request.user))
        .select_related("user", "college")
        .first()
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
