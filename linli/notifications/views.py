"""The inbox (/notices/): one's notices newest first, marked read when opened; the unread badge of the
top bar (loaded by HTMX after the page, so it costs pages no query); one's channel preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linli.core.errors import DomainError
from linli.core.ui import form_errors, page_rows, raise_http
from linli.notifications import actions, selectors
from linli.notifications.forms import PreferenceForm


@login_required
@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    unread = request.GET.get("show") == "unread"
    page = page_rows(request, selectors.inbox(request.user, unread=unread), size=selectors.INBOX_PAGE)
    return render(
        request,
        "notifications/inbox.html",
        {
            **page,
            "notices": page["rows"],
            "unread_only": unread,
            "unread": selectors.unread_count(request.user),
            "preference": selectors.preference_for(request.user),
        },
    )


@require_GET
def badge(request: HttpRequest) -> HttpResponse:
    count = selectors.unread_count(request.user) if request.user.is_authenticated else 0
    return render(request, "notifications/_badge.html", {"unread": count})


@login_required
@require_POST
def open_notice(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        notice = actions.notice_read(user=request.user, notice_id=pk)
    except DomainError as exc:
        raise_http(exc)
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts={request.get_host()}):
        return redirect(notice.url)
    return redirect("notifications:inbox")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    actions.notices_read_all(user=request.user)
    return redirect("notifications:inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    pref = selectors.preference_for(request.user)
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            try:
                actions.preference_set(
                    user=request.user,
                    channels=form.cleaned_data["channels"],
                    digest=form.cleaned_data["digest"],
                    digest_at=form.cleaned_data["digest_at"],
                    wechat_openid=form.cleaned_data["wechat_openid"],
                )
            except DomainError as exc:
                form_errors(form, exc)
            else:
                messages.success(request, _("Your notification settings are saved."))
                return redirect("notifications:preferences")
    else:
        form = PreferenceForm(
            initial={
                "channels": pref.channels,
                "digest": pref.digest,
                "digest_at": pref.digest_at,
                "wechat_openid": pref.wechat_openid,
            }
        )
    return render(request, "notifications/preferences.html", {"form": form, "preference": pref})
