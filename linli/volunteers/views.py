"""Pages of the volunteers app.

Residents (phone-sized, big tap targets): the recruiting activities (no login needed to browse), an
activity with sign-up and cancel, my activities with my hours, become a volunteer, and the check-in page
the activity's QR code opens. Organisers: create and edit an activity, its transitions, the QR code to
print, the attendance list with manual check-in and hours verification. Managers: volunteers, teams and
their ranking, the talent pools with a search by skill, the hours export.

Every write goes through ``linli.volunteers.actions``; objects come through ``access_*`` (404).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.core.access import scope_of
from linli.core.errors import DomainError
from linli.core.masking import mask_name
from linli.core.qr import qr_svg_response
from linli.core.replica import replica_reads
from linli.core.ui import error_message, form_errors, page_rows, perm_required, raise_http
from linli.volunteers import actions, selectors
from linli.volunteers.access import (
    access_activity,
    access_signup,
    access_team,
    can_create_activity,
    can_join,
    can_manage,
    can_organise,
)
from linli.volunteers.forms import ActivityForm, CancelForm, JoinForm, PeriodForm, StaffRegisterForm
from linli.volunteers.models import Signup, Team
from linli.volunteers.workflow import PERM_MANAGE, TRANSITIONS, SignupStatus, available_actions


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    form = PeriodForm(request.GET or None)
    if form.is_bound and form.is_valid() and form.cleaned_data["since"] <= form.cleaned_data["until"]:
        return form.cleaned_data["since"], form.cleaned_data["until"]
    return today.replace(month=1, day=1), today


# --- residents -----------------------------------------------------------------------------------------------


def activity_list(request: HttpRequest) -> HttpResponse:
    volunteer = actions.volunteer_of(request.user)
    return render(
        request,
        "volunteers/activity_list.html",
        {
            **page_rows(request, selectors.activity_list_public(), ascending=True),
            "volunteer": volunteer,
            "can_join": can_join(request.user),
            "can_create": can_create_activity(request.user),
            "can_manage": can_manage(request.user),
        },
    )


def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access_activity(request.user, pk)
    volunteer = actions.volunteer_of(request.user)
    mine = None
    if volunteer is not None:
        mine = (
            Signup.objects.filter(activity=activity, volunteer=volunteer)
            .exclude(status=SignupStatus.CANCELLED)
            .first()
        )
    return render(
        request,
        "volunteers/activity_detail.html",
        {
            "activity": activity,
            "volunteer": volunteer,
            "mine": mine,
            "can_join": can_join(request.user),
            "organiser": can_organise(request.user, activity),
            "transitions": available_actions(activity, request.user),
            "free": max(activity.quota - activity.confirmed_count, 0),
        },
    )


@login_required
@require_POST
def signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = access_activity(request.user, pk)
    try:
        row = actions.signup_create(activity=activity, actor=request.user)
    except DomainError as exc:
        error_message(request, exc)
    else:
        if row.status == SignupStatus.CONFIRMED:
            messages.success(request, _("You are signed up. See you there!"))
        else:
            messages.info(
                request,
                _(
                    "The activity is full: you are on the waiting list and will be told if a place comes free."
                ),
            )
    return redirect("volunteers:activity_detail", pk=activity.pk)


@login_required
@require_POST
def signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    row = access_signup(request.user, pk)
    try:
        actions.signup_cancel(signup=row, actor=request.user)
    except DomainError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("Your sign-up is cancelled."))
    target = request.POST.get("next") or reverse("volunteers:activity_detail", args=[row.activity_id])
    return redirect(target if target.startswith("/") and not target.startswith("//") else "/")


@login_required
def my_activities(request: HttpRequest) -> HttpResponse:
    volunteer = actions.volunteer_of(request.user)
    return render(
        request,
        "volunteers/my_activities.html",
        {
            "volunteer": volunteer,
            **page_rows(request, selectors.my_signups(volunteer)),
            "hours": selectors.my_hours_total(volunteer),
            "notices": selectors.my_notices(request.user),
            "can_join": can_join(request.user),
        },
    )


@perm_required("volunteers.join")
def join(request: HttpRequest) -> HttpResponse:
    volunteer = actions.volunteer_of(request.user)
    if volunteer is not None and volunteer.status == "active":
        messages.info(request, _("You are already a registered volunteer."))
        return redirect("volunteers:my_activities")
    form = JoinForm(request.POST or None, initial={"kind": "resident"})
    if request.method == "POST" and form.is_valid():
        try:
            actions.volunteer_register(
                actor=request.user,
                kind=form.cleaned_data["kind"],
                skills=form.cleaned_data["skills"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
        else:
            messages.success(request, _("Welcome! You are now a registered volunteer."))
            return redirect("volunteers:activity_list")
    return render(request, "volunteers/join.html", {"form": form})


@login_required
def checkin(request: HttpRequest, token: str) -> HttpResponse:
    """The page the activity's QR code opens: check in, later check out, on the volunteer's phone."""
    from linli.volunteers.models import Activity

    activity = Activity.objects.select_related("community").filter(checkin_token=token).first()
    if activity is None:
        raise Http404
    ask_checkout = ""
    if request.method == "POST":
        step = request.POST.get("step", "in")
        try:
            if step == "out":
                actions.signup_checkout_by_token(token=token, actor=request.user,
                                                 confirm=request.POST.get("confirm") == "1")
                messages.success(request, _("Checked out. Thank you for your service!"))
            else:
                actions.signup_checkin_by_token(token=token, actor=request.user)
                messages.success(request, _("Checked in. Welcome!"))
        except DomainError as exc:
            if getattr(exc, "code", "") != "checkout_too_soon":
                error_message(request, exc)
                return redirect("volunteers:checkin", token=token)
            ask_checkout = str(exc.message)  # asked on the page itself: check out, or stay checked in
        else:
            return redirect("volunteers:checkin", token=token)
    volunteer = actions.volunteer_of(request.user)
    mine = Signup.objects.filter(activity=activity, volunteer=volunteer).first() if volunteer else None
    return render(
        request, "volunteers/checkin.html",
        {"activity": activity, "mine": mine, "volunteer": volunteer, "ask_checkout": ask_checkout},
    )


# --- organisers -------------------------------------------------------------------------------------------------


def _communities(user):
    from linli.places.selectors import communities_of, places_by_ids

    if can_manage(user):  # a queryset: the activity form's choice field takes one
        return places_by_ids([c.pk for c in communities_of(user)]).order_by("path")
    from linli.volunteers.access import _own_volunteer_q

    ids = Team.objects.filter(_own_volunteer_q(user, "leader__")).values("community_id")
    return places_by_ids(ids).order_by("path")


def _teams(user):
    if can_manage(user):
        return Team.objects.visible_to(user)
    from linli.volunteers.access import _own_volunteer_q

    return Team.objects.filter(_own_volunteer_q(user, "leader__"))


@login_required
def organise(request: HttpRequest) -> HttpResponse:
    if not can_create_activity(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    return render(
        request,
        "volunteers/organise.html",
        {
            **page_rows(request, selectors.activity_list_organised(user=request.user, status=request.GET.get("status", ""))),
            "can_manage": can_manage(request.user),
        },
    )


@login_required
def activity_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    activity = access_activity(request.user, pk) if pk else None
    if activity is None and not can_create_activity(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    if activity is not None and not can_organise(request.user, activity):
        raise Http404
    initial = {"waitlist": True, "quota": 10}
    if activity is not None:
        initial = {
            f: getattr(activity, f)
            for f in (
                "title",
                "description",
                "location",
                "quota",
                "waitlist",
                "area",
                "points",
                "team",
                "community",
            )
        }
        initial["starts_at"] = timezone.localtime(activity.starts_at)
        initial["ends_at"] = timezone.localtime(activity.ends_at)
    form = ActivityForm(
        request.POST or None,
        initial=initial,
        teams=_teams(request.user),
        communities=_communities(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        community = data.pop("community")
        try:
            if activity is None:
                activity = actions.activity_create(actor=request.user, community=community, **data)
                messages.success(request, _("The activity is saved as a draft; publish it to open sign-up."))
            else:
                actions.activity_update(activity=activity, actor=request.user, **data)
                messages.success(request, _("The activity is saved."))
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
        else:
            return redirect("volunteers:activity_detail", pk=activity.pk)
    return render(request, "volunteers/activity_form.html", {"form": form, "activity": activity})


@login_required
@require_POST
def activity_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    activity = access_activity(request.user, pk)
    if name not in TRANSITIONS:
        raise Http404
    data = {}
    if name == "cancel":
        form = CancelForm(request.POST)
        data["reason"] = form.data.get("reason", "")
    try:
        actions.activity_transition(activity=activity, name=name, actor=request.user, data=data)
    except DomainError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("Done: %(action)s.") % {"action": TRANSITIONS[name].label})
    return redirect("volunteers:activity_detail", pk=activity.pk)


def _organised(request: HttpRequest, pk: int):
    activity = access_activity(request.user, pk)
    if not can_organise(request.user, activity):
        raise Http404
    return activity


def _checkin_url(request: HttpRequest, activity) -> str:
    return request.build_absolute_uri(reverse("volunteers:checkin", args=[activity.checkin_token]))


@login_required
def activity_qr(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _organised(request, pk)
    return render(
        request, "volunteers/qr.html", {"activity": activity, "url": _checkin_url(request, activity)}
    )


@login_required
def activity_qr_svg(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _organised(request, pk)
    return qr_svg_response(_checkin_url(request, activity))


@login_required
def activity_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _organised(request, pk)
    rows = selectors.attendance(activity)
    staff = PERM_MANAGE in request.user.perms
    for s in rows:
        s.display_name = s.volunteer.person.name if staff else mask_name(s.volunteer.person.name)
        s.computed = actions.computed_hours(s, activity)
    return render(
        request,
        "volunteers/attendance.html",
        {
            "activity": activity,
            "rows": rows,
            "transitions": available_actions(activity, request.user),
        },
    )


@login_required
@require_POST
def signup_mark(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    row = access_signup(request.user, pk)
    try:
        if step == "in":
            actions.signup_checkin(signup=row, actor=request.user)
        elif step == "out":
            actions.signup_checkout(signup=row, actor=request.user)
        elif step == "verify":
            hours = None
            if request.POST.get("hours"):
                try:
                    hours = Decimal(request.POST["hours"])
                except InvalidOperation:
                    hours = Decimal(-1)
            actions.signup_verify(signup=row, actor=request.user, hours=hours)
        else:
            raise Http404
    except DomainError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("volunteers:attendance", pk=row.activity_id)


# --- managers: volunteers, teams, talent ---------------------------------------------------------------------------


@perm_required("volunteers.manage")
def volunteer_list(request: HttpRequest) -> HttpResponse:
    form = StaffRegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        from linli.residents.access import access_person

        try:
            person = access_person(request.user, form.cleaned_data["person"])
        except Http404:
            form.add_error("person", _("No such person in your registry."))
        else:
            try:
                actions.volunteer_register(
                    actor=request.user,
                    person=person,
                    kind=form.cleaned_data["kind"],
                    skills=form.cleaned_data["skills"],
                )
            except DomainError as exc:
                raise_http(exc)
                form_errors(form, exc)
            else:
                messages.success(request, _("The volunteer is registered."))
                return redirect("volunteers:volunteer_list")
    return render(
        request,
        "volunteers/volunteer_list.html",
        {
            **page_rows(request, selectors.volunteer_list(
                user=request.user,
                q=request.GET.get("q", "").strip(),
                skill=request.GET.get("skill", ""),
                kind=request.GET.get("kind", ""),
            ), ascending=True),
            "skills": selectors.skills(),
            "form": form,
            "q": request.GET.get("q", ""),
            "skill": request.GET.get("skill", ""),
        },
    )


@login_required
def team_list(request: HttpRequest) -> HttpResponse:
    since, until = _period(request)
    by = "hours" if request.GET.get("by") == "hours" else "points"
    return render(
        request,
        "volunteers/team_list.html",
        {
            "ranking": selectors.team_ranking(user=request.user, since=since, until=until, by=by),
            "since": since,
            "until": until,
            "by": by,
            "communities": _community_choices(request.user) if can_manage(request.user) else [],
        },
    )


@login_required
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = access_team(request.user, pk)
    since, until = _period(request)
    by = "hours" if request.GET.get("by") == "hours" else "points"
    rows = selectors.team_member_ranking(team=team, since=since, until=until, by=by)
    staff = can_manage(request.user) and scope_of(request.user).covers_path(team.place_path)
    for r in rows:
        r.display_name = r.volunteer.person.name if staff else mask_name(r.volunteer.person.name)
    candidates = []
    if staff:
        member_ids = {r.volunteer.pk for r in rows}
        candidates = list(  # a picker: the first 200 of the team's community
            selectors.volunteer_list(user=request.user).filter(community_id=team.community_id)
            .exclude(pk__in=member_ids).order_by("pk")[:200]
        )
    return render(
        request,
        "volunteers/team_detail.html",
        {
            "team": team,
            "rows": rows,
            "since": since,
            "until": until,
            "by": by,
            "staff": staff,
            "candidates": candidates,
        },
    )


@perm_required("volunteers.manage")
def talent(request: HttpRequest) -> HttpResponse:
    skill = request.GET.get("skill", "")
    pool = request.GET.get("pool", "")
    pool_id = int(pool) if pool.isdigit() else None
    return render(
        request,
        "volunteers/talent.html",
        {
            "pools": selectors.pool_list(user=request.user),
            "skills": selectors.skills(),
            **page_rows(request, selectors.talent_search(user=request.user, skill=skill, pool_id=pool_id), ascending=True),
            "skill": skill,
            "pool_id": pool_id,
            "candidates": selectors.volunteer_list(user=request.user).order_by("pk")[:200] if pool_id else [],
        },
    )


@login_required
@replica_reads
def hours_export(request: HttpRequest) -> HttpResponse:
    from linli.core.excel import download
    from linli.volunteers.export import hours_workbook

    if not can_create_activity(request.user):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    since, until = _period(request)
    return download(hours_workbook(user=request.user, since=since, until=until),
                    f"volunteer-hours-{since}-{until}.xlsx")


# --- managers: teams and talent pools ------------------------------------------------------------------------------


def _community_choices(user):
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_visible_to

    return places_visible_to(user).filter(kind=PlaceKind.COMMUNITY).order_by("path")


@perm_required("volunteers.manage")
@require_POST
def team_create(request: HttpRequest) -> HttpResponse:
    community = _community_choices(request.user).filter(pk=request.POST.get("community") or 0).first()
    if community is None:
        raise Http404
    try:
        team = actions.team_create(
            actor=request.user,
            community=community,
            name=request.POST.get("name", ""),
            description=request.POST.get("description", ""),
        )
    except DomainError as exc:
        error_message(request, exc)
        return redirect("volunteers:team_list")
    messages.success(request, _("The team is created."))
    return redirect("volunteers:team_detail", pk=team.pk)


@perm_required("volunteers.manage")
@require_POST
def team_member(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    from linli.volunteers.access import access_volunteer

    team = access_team(request.user, pk)
    volunteer_id = request.POST.get("volunteer", "")
    if not volunteer_id.isdigit():
        messages.error(request, _("Choose a volunteer."))
        return redirect("volunteers:team_detail", pk=team.pk)
    volunteer = access_volunteer(request.user, int(volunteer_id))
    try:
        if step == "add":
            actions.team_member_add(team=team, volunteer=volunteer, actor=request.user)
        elif step == "leader":
            actions.team_set_leader(team=team, volunteer=volunteer, actor=request.user)
        elif step == "remove":
            actions.team_member_remove(team=team, volunteer=volunteer, actor=request.user)
        else:
            raise Http404
    except DomainError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("Saved."))
    return redirect("volunteers:team_detail", pk=team.pk)


@perm_required("volunteers.manage")
@require_POST
def pool_member(request: HttpRequest) -> HttpResponse:
    from linli.volunteers.access import access_pool, access_volunteer

    pool = access_pool(request.user, request.POST.get("pool") or 0)
    volunteer_id = request.POST.get("volunteer", "")
    if not volunteer_id.isdigit():
        messages.error(request, _("Choose a volunteer."))
    else:
        try:
            actions.pool_member_add(
                pool=pool,
                volunteer=access_volunteer(request.user, int(volunteer_id)),
                actor=request.user,
                speciality=request.POST.get("speciality", ""),
            )
        except DomainError as exc:
            error_message(request, exc)
        else:
            messages.success(request, _("Saved."))
    return redirect(f"{reverse('volunteers:talent')}?pool={pool.pk}")
