"""Party pages: the organisation tree per community, an organisation, members and their roles, 双报到
registrations, the joint committee's meetings and rotation, partner units, the half-year reports.
Every write goes through ``linli.party.actions``; objects are scoped through ``linli.party.access``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import DomainError
from linli.core.ui import form_errors, page_rows, perm_required, raise_http
from linli.party import actions, reports, selectors
from linli.party.access import (
    access_meeting,
    access_member,
    access_org,
    access_partner,
    access_registration,
    can_manage_path,
)
from linli.party.forms import (
    ActivityForm,
    AgreementForm,
    DecisionForm,
    MeetingForm,
    MemberCreateForm,
    MemberPlaceForm,
    OrgCreateForm,
    OrgMoveForm,
    PartnerForm,
    ProblemForm,
    RegistrationForm,
    ReportForm,
    ResourceForm,
    RoleAssignForm,
    SecretaryForm,
)
from linli.party.models import JointActivity, Partner, PartyOrg
from linli.party.workflow import TRANSITIONS, available_actions, event_label
from linli.places.kinds import PlaceKind
from linli.places.selectors import communities_of, places_by_ids, places_of_kind

if TYPE_CHECKING:
    from linli.places.models import Place

VIEW = "party.view"


def _community(request) -> tuple[Place | None, list[Place]]:
    """The community chosen by ``?community=`` among the user's, else their first."""
    communities = communities_of(request.user)
    chosen = request.GET.get("community") or request.POST.get("community")
    for c in communities:
        if str(c.pk) == str(chosen):
            return c, communities
    return (communities[0] if communities else None), communities


def _run(request, form, fn) -> Any:
    """Run an action; its errors go onto the form (or become 403/404). Returns the result or None."""
    try:
        return fn()
    except DomainError as exc:
        raise_http(exc)
        form_errors(form, exc)
        return None


def _places_under(community: Place, kinds: tuple[str, ...]) -> list[Place]:
    return list(places_of_kind(*kinds, under=community.path).order_by("path")[:500])


# --- the tree -------------------------------------------------------------------------------------------------


@perm_required(VIEW)
def home(request):
    community, communities = _community(request)
    roots = selectors.org_tree(request.user, community) if community else []
    can_manage = bool(community and can_manage_path(request.user, community.path))
    form = None
    if can_manage and community is not None:
        parents = selectors.org_list(request.user, community=community).exclude(kind="unit")
        places = _places_under(
            community, (PlaceKind.COMMUNITY, PlaceKind.COMPOUND, PlaceKind.BUILDING, PlaceKind.HOUSE)
        )
        form = OrgCreateForm(request.POST or None, places=places, parents=parents)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            parent = PartyOrg.objects.filter(pk=d["parent"]).first() if d["parent"] else None
            org = _run(
                request,
                form,
                lambda: actions.org_create(
                    kind=d["kind"], name=d["name"], place=d["place"], parent=parent, actor=request.user
                ),
            )
            if org is not None:
                messages.success(request, _("Saved."))
                return redirect(f"{request.path}?community={community.pk}")
    rotation = selectors.rotation_of(community, timezone.localdate()) if community else None
    return render(
        request,
        "party/home.html",
        {
            "title": _("Party organisations"),
            "community": community,
            "communities": communities,
            "roots": roots,
            "form": form,
            "can_manage": can_manage,
            "rotation": rotation,
        },
    )


@perm_required(VIEW)
def org_detail(request, org_id: int):
    org = access_org(request.user, org_id)
    can_manage = can_manage_path(request.user, org.place_path)
    secretary_form = SecretaryForm(
        request.POST if "secretary" in request.POST else None,
        initial={"username": getattr(org.secretary, "username", "")},
    )
    move_form = None
    if can_manage and org.parent_id is not None:
        from linli.party.actions.org import TREE_RULES

        allowed = [k for k in TREE_RULES[org.kind][1] if k]
        parents = [
            o
            for o in PartyOrg.objects.filter(active=True, kind__in=allowed)
            .exclude(pk=org.pk)
            .order_by("name")
            if org.place_path.startswith(o.place_path)
        ]
        move_form = OrgMoveForm(request.POST if "move" in request.POST else None, parents=parents)
    if request.method == "POST":
        if not can_manage:
            raise DjangoPermissionDenied
        if "move" in request.POST and move_form is not None:
            if move_form.is_valid():
                parent = PartyOrg.objects.get(pk=move_form.cleaned_data["parent"])
                if _run(
                    request, move_form, lambda: actions.org_move(org=org, parent=parent, actor=request.user)
                ):
                    messages.success(request, _("Saved."))
                    return redirect("party:org_detail", org_id=org.pk)
        elif "close" in request.POST:
            done = _run(request, secretary_form, lambda: actions.org_close(org=org, actor=request.user))
            if done is not None:
                messages.success(request, _("The organisation is closed."))
                return redirect("party:org_detail", org_id=org.pk)
        elif secretary_form.is_valid():
            from linli.accounts.selectors import user_by_username

            name = secretary_form.cleaned_data["username"].strip()
            user = user_by_username(name) if name else None
            if name and user is None:
                secretary_form.add_error("username", _("Unknown account."))
            else:
                done = _run(
                    request,
                    secretary_form,
                    lambda: actions.org_set_secretary(org=org, secretary=user, actor=request.user),
                )
                if done is not None:
                    messages.success(request, _("Saved."))
                    return redirect("party:org_detail", org_id=org.pk)
    page = page_rows(request, selectors.member_list(request.user, org=org), ascending=True)
    children = selectors.org_list(request.user).filter(parent=org)
    return render(
        request,
        "party/org_detail.html",
        {
            "title": org.name,
            "org": org,
            "ancestors": selectors.org_ancestors(org),
            "children": children,
            **page,
            "rows": selectors.member_rows(page["rows"]),
            "can_manage": can_manage,
            "secretary_form": secretary_form,
            "move_form": move_form,
        },
    )


# --- members --------------------------------------------------------------------------------------------------


@perm_required(VIEW)
def member_list(request):
    community, communities = _community(request)
    q = request.GET.get("q", "").strip()[:40]
    kind = request.GET.get("kind", "")
    active = request.GET.get("left") != "1"
    page = (
        page_rows(request, selectors.member_list(request.user, community=community, kind=kind, active=active, q=q),
                  ascending=True)
        if community
        else {"rows": []}
    )
    can_manage = bool(community and can_manage_path(request.user, community.path))
    form = None
    if can_manage and community is not None:
        orgs = selectors.org_list(request.user, community=community).exclude(kind="unit")
        grids = _places_under(community, (PlaceKind.GRID,))
        form = MemberCreateForm(request.POST or None, orgs=orgs, grids=grids)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            org = PartyOrg.objects.filter(pk=d["org"]).first() if d["org"] else None
            member = _run(
                request,
                form,
                lambda: actions.member_create(
                    person=d["person"], org=org, grid=d["grid"], joined_on=d["joined_on"], actor=request.user
                ),
            )
            if member is not None:
                messages.success(request, _("Saved."))
                return redirect("party:member_detail", member_id=member.pk)
    return render(
        request,
        "party/member_list.html",
        {
            "title": _("Party members"),
            "community": community,
            "communities": communities,
            **page,
            "rows": selectors.member_rows(page["rows"]),
            "q": q,
            "kind": kind,
            "left": not active,
            "form": form,
        },
    )


@perm_required(VIEW)
def member_detail(request, member_id: int):
    from linli.party.models import MemberRole

    member = access_member(request.user, member_id)
    can_manage = can_manage_path(request.user, member.place_path) and member.active
    form = place_form = None
    if can_manage:
        community = places_by_ids(
            [int(p) for p in member.place_path.strip("/").split("/") if p], kinds=[PlaceKind.COMMUNITY]
        ).first()
        places = (
            _places_under(
                community, (PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING)
            )
            if community
            else []
        )
        form = RoleAssignForm(request.POST if "role" in request.POST else None, places=places)
        place_form = MemberPlaceForm(
            request.POST if "place_member" in request.POST else None,
            orgs=[o for o in selectors.org_list(request.user, community=community).exclude(kind="unit")]
            if community
            else [],
            grids=[p for p in places if p.kind == PlaceKind.GRID],
            initial={"org": member.org_id, "grid": member.grid_id},
        )
        if request.method == "POST":
            if "place_member" in request.POST:
                if place_form.is_valid():
                    d = place_form.cleaned_data
                    org = PartyOrg.objects.filter(pk=d["org"]).first() if d["org"] else None
                    if _run(
                        request,
                        place_form,
                        lambda: actions.member_update(
                            member=member, org=org, grid=d["grid"], actor=request.user
                        ),
                    ):
                        messages.success(request, _("Saved."))
                        return redirect("party:member_detail", member_id=member.pk)
            elif "leave" in request.POST:
                if (
                    _run(request, form, lambda: actions.member_leave(member=member, actor=request.user))
                    is not None
                ):
                    messages.success(request, _("Saved."))
                    return redirect("party:member_detail", member_id=member.pk)
            elif "end_role" in request.POST:
                role = MemberRole.objects.filter(member=member, pk=request.POST.get("end_role")).first()
                if role is None:
                    raise Http404
                if _run(request, form, lambda: actions.role_end(role=role, actor=request.user)) is not None:
                    return redirect("party:member_detail", member_id=member.pk)
            elif form.is_valid():
                d = form.cleaned_data
                if _run(
                    request,
                    form,
                    lambda: actions.role_assign(
                        member=member, role=d["role"], place=d["place"], since=d["since"], actor=request.user
                    ),
                ):
                    messages.success(request, _("Saved."))
                    return redirect("party:member_detail", member_id=member.pk)
    row = selectors.member_rows([member])[0]
    roles = MemberRole.objects.filter(member=member).select_related("place").order_by("-since", "-id")
    return render(
        request,
        "party/member_detail.html",
        {
            "title": row.name,
            "member": member,
            "row": row,
            "roles": roles,
            "form": form,
            "place_form": place_form,
            "can_manage": can_manage,
        },
    )


# --- registrations ----------------------------------------------------------------------------------------------


@login_required
def registration_list(request):
    from linli.core.masking import mask_name
    from linli.party.workflow import RegistrationStatus

    status = request.GET.get("status", "")
    styles = {"submitted": "warning", "approved": "success", "rejected": "danger", "withdrawn": "secondary"}
    page = page_rows(request, selectors.registration_list(request.user, status=status))
    rows = [
        {
            "id": r.pk,
            "kind": r.get_kind_display(),
            "unit": r.unit_name,
            "community": r.community.name,
            "who": r.unit_name if r.kind == "unit" else mask_name(r.person.name if r.person else ""),
            "status": r.get_status_display(),
            "style": styles.get(r.status, "light"),
            "created_at": r.created_at,
        }
        for r in page["rows"]
    ]
    return render(
        request,
        "party/registration_list.html",
        {
            "title": _("Registrations (双报到)"),
            **page,
            "rows": rows,
            "status": status,
            "statuses": RegistrationStatus.choices,
            "staff": "party.view" in getattr(request.user, "perms", ()),
        },
    )


@login_required
def registration_new(request):
    from linli.places.selectors import places_of_kind

    communities = communities_of(request.user)
    if not communities:  # a resident may register with any community of the district's street
        communities = list(places_of_kind(PlaceKind.COMMUNITY).order_by("code", "id")[:200])
    staff = any(can_manage_path(request.user, c.path) for c in communities)
    form = RegistrationForm(request.POST or None, communities=communities, staff=staff)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        reg = _run(
            request,
            form,
            lambda: actions.registration_submit(
                kind=d["kind"],
                community=d["community"],
                unit_name=d["unit_name"],
                contact_name=d["contact_name"],
                person=d.get("person"),
                note=d["note"],
                actor=request.user,
            ),
        )
        if reg is not None:
            messages.success(request, _("Your registration has been submitted."))
            return redirect("party:registration_detail", registration_id=reg.pk)
    return render(request, "party/registration_new.html", {"title": _("Register (双报到)"), "form": form})


@login_required
def registration_detail(request, registration_id: int):
    reg = access_registration(request.user, registration_id)
    grids = _places_under(reg.community, (PlaceKind.GRID,))
    form = DecisionForm(request.POST or None, grids=grids)
    if request.method == "POST":
        name = request.POST.get("action", "")
        if name not in TRANSITIONS:
            raise Http404
        if form.is_valid():
            d = form.cleaned_data
            done = _run(
                request,
                form,
                lambda: actions.registration_transition(
                    registration=reg,
                    name=name,
                    actor=request.user,
                    data={"reason": d["reason"], "grid": d["grid"]},
                ),
            )
            if done is not None:
                messages.success(request, _("Saved."))
                return redirect("party:registration_detail", registration_id=reg.pk)
    from linli.core.masking import mask_name

    return render(
        request,
        "party/registration_detail.html",
        {
            "title": reg.unit_name
            if reg.kind == "unit"
            else mask_name(reg.person.name if reg.person else ""),
            "reg": reg,
            "person": mask_name(reg.person.name) if reg.person else "",
            "events": [
                {"at": e.at, "label": event_label(e.kind), "actor": e.actor, "note": e.note}
                for e in reg.events.select_related("actor")
            ],
            "actions": available_actions(reg, request.user),
            "form": form,
        },
    )


# --- meetings -----------------------------------------------------------------------------------------------------


@perm_required(VIEW)
def meeting_list(request):
    community, communities = _community(request)
    page = page_rows(request, selectors.meeting_list(request.user, community=community)) if community else {"rows": []}
    rotation = selectors.rotation_of(community, timezone.localdate()) if community else None
    can_manage = bool(community and can_manage_path(request.user, community.path))
    form = None
    if can_manage and community is not None and rotation is not None:
        units = [u for u in rotation.units if u.active]
        form = MeetingForm(request.POST or None, units=units, initial={"held_on": timezone.localdate()})
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            chosen = [u for u in units if u.pk in d["attendees"]]
            meeting = _run(
                request,
                form,
                lambda: actions.meeting_create(
                    community=community,
                    held_on=d["held_on"],
                    title=d["title"],
                    attendees=chosen,
                    minutes=d["minutes"],
                    actor=request.user,
                ),
            )
            if meeting is not None:
                return redirect("party:meeting_detail", meeting_id=meeting.pk)
    return render(
        request,
        "party/meeting_list.html",
        {
            "title": _("Joint meetings"),
            "community": community,
            "communities": communities,
            **page,
            "meetings": page["rows"],
            "rotation": rotation,
            "form": form,
        },
    )


@perm_required(VIEW)
def meeting_detail(request, meeting_id: int):
    from linli.cases.selectors import active_leaf_categories_by_code

    meeting = access_meeting(request.user, meeting_id)
    can_manage = can_manage_path(request.user, meeting.place_path)
    units = list(Partner.objects.filter(community=meeting.community, big_committee=True))
    form = None
    if can_manage:
        categories = active_leaf_categories_by_code()
        form = ProblemForm(request.POST or None, categories=categories, units=units)
        if request.method == "POST" and form.is_valid():
            d = form.cleaned_data
            partner = next((u for u in units if u.pk == d["partner"]), None)
            problem = _run(
                request,
                form,
                lambda: actions.meeting_problem_file(
                    meeting=meeting,
                    title=d["title"],
                    category=d["category"],
                    description=d["description"],
                    partner=partner,
                    actor=request.user,
                ),
            )
            if problem is not None:
                messages.success(request, _("The problem is filed as a case."))
                return redirect("party:meeting_detail", meeting_id=meeting.pk)
    return render(
        request,
        "party/meeting_detail.html",
        {
            "title": meeting.title,
            "meeting": meeting,
            "attendees": list(meeting.attendees.all()),
            "absent": [u for u in units if u.active and u not in meeting.attendees.all()],
            "problems": selectors.meeting_problems(meeting),
            "form": form,
        },
    )


# --- partners ---------------------------------------------------------------------------------------------------


@perm_required(VIEW)
def partner_list(request):
    community, communities = _community(request)
    partners = list(selectors.partner_list(request.user, community=community)) if community else []
    page = (
        page_rows(request, JointActivity.objects.visible_to(request.user).filter(community=community)
                  .prefetch_related("partners"))
        if community
        else {"rows": []}
    )
    can_manage = bool(community and can_manage_path(request.user, community.path))
    form = activity_form = None
    if can_manage and community is not None:
        form = PartnerForm(request.POST if "partner" in request.POST else None)
        activity_form = ActivityForm(
            request.POST if "activity" in request.POST else None, units=[p for p in partners if p.active]
        )
        if request.method == "POST" and "partner" in request.POST and form.is_valid():
            d = form.cleaned_data
            if _run(
                request, form, lambda: actions.partner_create(community=community, actor=request.user, **d)
            ):
                messages.success(request, _("Saved."))
                return redirect(f"{request.path}?community={community.pk}")
        if request.method == "POST" and "activity" in request.POST and activity_form.is_valid():
            d = activity_form.cleaned_data
            chosen = [p for p in partners if p.pk in d["partners"]]
            if _run(
                request,
                activity_form,
                lambda: actions.activity_create(
                    community=community,
                    held_on=d["held_on"],
                    title=d["title"],
                    partners=chosen,
                    participants=d["participants"],
                    actor=request.user,
                ),
            ):
                messages.success(request, _("Saved."))
                return redirect(f"{request.path}?community={community.pk}")
    return render(
        request,
        "party/partner_list.html",
        {
            "title": _("Partner units"),
            "community": community,
            "communities": communities,
            "partners": partners,
            **page,
            "activities": page["rows"],
            "form": form,
            "activity_form": activity_form,
        },
    )


@perm_required(VIEW)
def partner_detail(request, partner_id: int):
    partner = access_partner(request.user, partner_id)
    can_manage = can_manage_path(request.user, partner.place_path)
    agreement_form = resource_form = None
    if can_manage:
        agreement_form = AgreementForm(request.POST if "agreement" in request.POST else None)
        resource_form = ResourceForm(request.POST if "resource" in request.POST else None)
        if request.method == "POST":
            done = None
            if "agreement" in request.POST and agreement_form.is_valid():
                done = _run(
                    request,
                    agreement_form,
                    lambda: actions.agreement_create(
                        partner=partner, actor=request.user, **agreement_form.cleaned_data
                    ),
                )
            elif "resource" in request.POST and resource_form.is_valid():
                done = _run(
                    request,
                    resource_form,
                    lambda: actions.resource_create(
                        partner=partner, actor=request.user, **resource_form.cleaned_data
                    ),
                )
            elif "toggle" in request.POST:
                done = _run(
                    request,
                    agreement_form,
                    lambda: actions.partner_set_active(
                        partner=partner, active=not partner.active, actor=request.user
                    ),
                )
            if done is not None:
                messages.success(request, _("Saved."))
                return redirect("party:partner_detail", partner_id=partner.pk)
    return render(
        request,
        "party/partner_detail.html",
        {
            "title": partner.name,
            "partner": partner,
            "agreements": partner.agreements.all(),
            "resources": partner.resources.all(),
            "activities": page_rows(request, partner.activities.all(), key="activities"),
            "meetings": page_rows(request, partner.meetings.all(), key="meetings"),
            "can_manage": can_manage,
            "agreement_form": agreement_form,
            "resource_form": resource_form,
        },
    )


# --- reports ----------------------------------------------------------------------------------------------------


@perm_required(VIEW)
def report(request):
    year, half = reports.current_half(timezone.localdate())
    form = ReportForm(request.GET or None, initial={"year": year, "half": half})
    if form.is_bound and form.is_valid():
        year, half = form.cleaned_data["year"], form.cleaned_data["half"]
    result = reports.service_report(request.user, year=year, half=half)
    fmt = request.GET.get("format", "")
    if fmt in ("xlsx", "pdf"):
        from linli.party.api import report_file

        return report_file(result, fmt, request.user)
    return render(
        request,
        "party/report.html",
        {
            "title": _("Half-year service reports"),
            "form": form,
            "report": result,
            "year": year,
            "half": half,
        },
    )
