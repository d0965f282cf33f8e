"""Pages of deliberation (议事协商).

Residents (phone-sized): the community's topics, raise one, support one; the votes, cast a ballot, see the
published result with its computation. Staff: the agenda, turning a case into a topic, the transitions,
creating and running a vote, the printed roll and the paper ballots.

Every write goes through ``linli.deliberation.actions``; objects come through ``access_*`` (404).
"""

from __future__ import annotations

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
from linli.core.ui import error_message, form_errors, page_rows, raise_http
from linli.deliberation import actions, selectors
from linli.deliberation.access import (
    access_decision,
    access_meeting,
    access_topic,
    access_vote,
    can_manage,
    can_manage_path,
    can_raise,
)
from linli.deliberation.actions._common import voter_of
from linli.deliberation.forms import DecisionForm, MeetingForm, TopicForm, VoteForm
from linli.deliberation.models import RollEntry, Topic, Vote
from linli.deliberation.workflow import (
    DECISION_TRANSITIONS,
    MEETING_TRANSITIONS,
    TOPIC_TRANSITIONS,
    VOTE_TRANSITIONS,
    DecisionStatus,
    ParticipantRole,
    ProjectKind,
    Satisfaction,
    TopicStatus,
    VoteStatus,
    decision_actions,
    meeting_actions,
    topic_actions,
    vote_actions,
)


def _places_for(user) -> list:
    """The community and the compounds and grids under it that a vote may be held in."""
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_of_kind

    paths = scope_of(user).place_paths
    if not paths:
        return []
    qs = places_of_kind(PlaceKind.COMMUNITY, PlaceKind.GRID, PlaceKind.COMPOUND, PlaceKind.BUILDING)
    from django.db.models import Q

    q = Q(pk__in=[])
    for p in paths:
        q |= Q(path__startswith=p)
    return list(qs.filter(q).order_by("path")[:300])


# --- topics ---------------------------------------------------------------------------------------------------


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = page_rows(request, selectors.topic_list(request.user, status=status), size=selectors.PAGE_SIZE)
    return render(
        request,
        "deliberation/topic_list.html",
        {
            **page,
            "topics": page["rows"],
            "status": status,
            "statuses": TopicStatus.choices,
            "can_raise": can_raise(request.user),
            "can_manage": can_manage(request.user),
        },
    )


@login_required
def topic_new(request: HttpRequest) -> HttpResponse:
    if not can_raise(request.user):
        raise Http404
    form = TopicForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            topic = actions.topic_raise(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
        else:
            messages.success(request, _("Your topic is posted: neighbours can now support it."))
            return redirect("deliberation:topic_detail", topic.pk)
    return render(request, "deliberation/topic_form.html", {"form": form})


@login_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    topic = access_topic(request.user, pk)
    manage = can_manage_path(request.user, topic.community_path)
    others = (
        list(Topic.objects.filter(community=topic.community, status__in=[TopicStatus.OPEN, TopicStatus.AGENDA]).exclude(pk=topic.pk)[:50])
        if manage
        else []
    )
    return render(
        request,
        "deliberation/topic_detail.html",
        {
            "topic": topic,
            "transitions": topic_actions(topic, request.user),
            "events": selectors.topic_events(topic),
            "supported": actions.topic_supported_by(topic, request.user),
            "can_support": can_raise(request.user) and topic.status in (TopicStatus.OPEN, TopicStatus.AGENDA),
            "votes": selectors.votes_of_topic(topic),
            "others": others,
            "manage": manage,
            **selectors.topic_think_tank(topic, request.user, manage=manage),
        },
    )


@require_POST
@login_required
def topic_support(request: HttpRequest, pk: int) -> HttpResponse:
    topic = access_topic(request.user, pk)
    try:
        actions.topic_support(actor=request.user, topic=topic)
        messages.success(request, _("Thank you: your household supports this topic."))
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:topic_detail", topic.pk)


@require_POST
@login_required
def topic_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    topic = access_topic(request.user, pk)
    if name not in TOPIC_TRANSITIONS:
        raise Http404
    data = {k: request.POST.get(k, "") for k in ("note", "reason", "into")}
    try:
        actions.topic_transition(topic=topic, name=name, actor=request.user, data=data)
        messages.success(request, _("Done."))
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:topic_detail", topic.pk)


@require_POST
@login_required
def topic_from_case(request: HttpRequest) -> HttpResponse:
    case = request.POST.get("case", "").strip()
    if not can_manage(request.user):
        raise Http404
    from linli.cases.selectors import case_id_by_number

    found = case_id_by_number(case) or (int(case) if case.isdigit() else None)
    try:
        topic = actions.topic_from_case(actor=request.user, case=found)
    except DomainError as exc:
        if exc.status == 404:
            messages.error(request, _("No case with this number in your area."))
        else:
            error_message(request, exc)
        return redirect("deliberation:topics")
    messages.success(request, _("The case is now a topic."))
    return redirect("deliberation:topic_detail", topic.pk)


# --- votes ----------------------------------------------------------------------------------------------------


@login_required
def vote_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    page = page_rows(request, selectors.vote_list(request.user, status=status), size=selectors.PAGE_SIZE)
    return render(
        request,
        "deliberation/vote_list.html",
        {**page, "votes": page["rows"], "status": status, "statuses": VoteStatus.choices, "can_manage": can_manage(request.user)},
    )


@login_required
def vote_new(request: HttpRequest) -> HttpResponse:
    if not can_manage(request.user):
        raise Http404
    topic = None
    topic_id = request.GET.get("topic") or request.POST.get("topic")
    if topic_id and str(topic_id).isdigit():
        topic = access_topic(request.user, int(topic_id))
    places = _places_for(request.user)
    form = VoteForm(request.POST or None, initial={"title": topic.title if topic else "", "secret": True, "online": True, "paper": True})
    form.fields["place"].widget.choices = [(p.pk, f"{'　' * max(0, p.depth - 2)}{p.name}") for p in places]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        options = [line for line in (data.pop("options") or "").splitlines() if line.strip()]
        try:
            vote = actions.vote_create(actor=request.user, topic=topic, options=options or None, **data)
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
        else:
            messages.success(request, _("The vote is drafted: check it, then open it."))
            return redirect("deliberation:vote_detail", vote.pk)
    return render(request, "deliberation/vote_form.html", {"form": form, "topic": topic})


@login_required
def vote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vote = access_vote(request.user, pk)
    manage = can_manage_path(request.user, vote.community_path)
    mine = actions.ballot_of(vote, request.user)
    show_result = vote.status == VoteStatus.PUBLISHED or (manage and vote.status == VoteStatus.CLOSED)
    return render(
        request,
        "deliberation/vote_detail.html",
        {
            "vote": vote,
            "manage": manage,
            "mine": mine,
            "mine_label": vote.option_label(mine.choice) if mine else "",
            "transitions": vote_actions(vote, request.user),
            "stats": actions.roll_stats(vote),
            "result": vote.result if show_result else None,
            "can_cast": vote.status == VoteStatus.OPEN and vote.online and can_raise(request.user),
        },
    )


@require_POST
@login_required
def vote_cast(request: HttpRequest, pk: int) -> HttpResponse:
    vote = access_vote(request.user, pk)
    try:
        actions.ballot_cast(actor=request.user, vote=vote, choice=request.POST.get("choice", ""))
        messages.success(request, _("Your vote is recorded. You may change it until the vote closes."))
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:vote_detail", vote.pk)


@require_POST
@login_required
def vote_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    vote = access_vote(request.user, pk)
    if name not in VOTE_TRANSITIONS:
        raise Http404
    try:
        actions.vote_transition(vote=vote, name=name, actor=request.user, data={"reason": request.POST.get("reason", "")})
        messages.success(request, _("Done."))
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:vote_detail", vote.pk)


ROLL_PAGE = 100


@login_required
def vote_roll(request: HttpRequest, pk: int) -> HttpResponse:
    """The printed roll (选民名册) with the paper ballots entered so far; staff enter paper ballots here."""
    vote = access_vote(request.user, pk)
    if not can_manage_path(request.user, vote.community_path):
        raise Http404
    from linli.deliberation.models import Ballot

    q = request.GET.get("q", "").strip()
    entries = RollEntry.objects.filter(vote=vote)
    if q:
        entries = entries.filter(label__contains=q)
    page = page_rows(request, entries, size=ROLL_PAGE, ascending=True)
    rows = page["rows"]
    ballots = {
        b["entry_id"]: b
        for b in Ballot.objects.filter(vote=vote, entry_id__in=[r.pk for r in rows]).values("entry_id", "channel", "paper_number")
    }
    return render(
        request,
        "deliberation/vote_roll.html",
        {
            **page,
            "vote": vote,
            "rows": [(r, ballots.get(r.pk)) for r in rows],
            "q": q,
            "stats": actions.roll_stats(vote),
        },
    )


@require_POST
@login_required
def vote_paper(request: HttpRequest, pk: int) -> HttpResponse:
    vote = access_vote(request.user, pk)
    try:
        actions.ballot_enter_paper(
            actor=request.user,
            vote=vote,
            entry=request.POST.get("entry", ""),
            choice=request.POST.get("choice", ""),
            paper_number=request.POST.get("paper_number", ""),
        )
        messages.success(request, _("Paper ballot entered."))
    except DomainError as exc:
        error_message(request, exc)
    return redirect(f"{request.path.rsplit('paper/', 1)[0]}roll/?q={request.POST.get('q', '')}")


# --- meetings and decisions ---------------------------------------------------------------------------------


def _community_for(user):
    from linli.places.kinds import PlaceKind
    from linli.places.selectors import places_by_ids, places_of_kind

    for p in scope_of(user).place_paths:
        ids = [int(x) for x in p.strip("/").split("/") if x]
        found = places_by_ids(ids, kinds=[PlaceKind.COMMUNITY]).first()
        if found is not None:
            return found
        below = places_of_kind(PlaceKind.COMMUNITY, under=p).order_by("path").first()
        if below is not None:
            return below
    return None


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    from linli.deliberation.models import Meeting

    qs = Meeting.objects.visible_to(request.user).select_related("community")
    page = page_rows(request, qs, size=selectors.PAGE_SIZE)
    return render(
        request,
        "deliberation/meeting_list.html",
        {**page, "meetings": page["rows"], "can_manage": can_manage(request.user), "year": timezone.localdate().year},
    )


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    if not can_manage(request.user):
        raise Http404
    community = _community_for(request.user)
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = actions.meeting_create(actor=request.user, community=community, **form.cleaned_data)
        except DomainError as exc:
            raise_http(exc)
            form_errors(form, exc)
        else:
            return redirect("deliberation:meeting_detail", meeting.pk)
    return render(request, "deliberation/meeting_form.html", {"form": form, "community": community})


@require_POST
@login_required
def meeting_schedule(request: HttpRequest) -> HttpResponse:
    if not can_manage(request.user):
        raise Http404
    year = request.POST.get("year", "")
    try:
        made = actions.residents_days_schedule(
            community=_community_for(request.user), year=int(year) if year.isdigit() else timezone.localdate().year,
            actor=request.user,
        )
        messages.success(request, _("%(n)s residents' days scheduled.") % {"n": len(made)})
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:meetings")


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from linli.deliberation.models import Topic

    meeting = access_meeting(request.user, pk)
    manage = can_manage_path(request.user, meeting.community_path)
    agenda_topics = (
        list(Topic.objects.filter(community=meeting.community, status=TopicStatus.AGENDA).exclude(agenda_items__meeting=meeting)[:50])
        if manage else []
    )
    participants = list(meeting.participants.all()[:500])
    if not manage:
        for p in participants:
            p.name = mask_name(p.name) if p.role == "resident" else p.name
    return render(
        request,
        "deliberation/meeting_detail.html",
        {
            "meeting": meeting,
            "manage": manage,
            "transitions": meeting_actions(meeting, request.user),
            "participants": participants,
            "signed": sum(1 for p in participants if p.signed_in_at),
            "agenda": list(meeting.agenda.select_related("topic")),
            "agenda_topics": agenda_topics,
            "decisions": list(meeting.decisions.all()),
            "decision_form": DecisionForm() if manage else None,
            "counted_votes": (list(Vote.objects.filter(community=meeting.community, status__in=["closed", "published"])
                                   .order_by("-id")[:30]) if manage else []),
            "roles": ParticipantRole.choices,
        },
    )


@require_POST
@login_required
def meeting_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    meeting = access_meeting(request.user, pk)
    if name not in MEETING_TRANSITIONS:
        raise Http404
    data = {k: request.POST.get(k, "") for k in ("minutes", "reason")}
    try:
        actions.meeting_transition(meeting=meeting, name=name, actor=request.user, data=data)
        messages.success(request, _("Done."))
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:meeting_detail", meeting.pk)


@require_POST
@login_required
def meeting_edit(request: HttpRequest, pk: int, what: str) -> HttpResponse:
    """Staff: add a participant, put a topic on the agenda, record a decision."""
    meeting = access_meeting(request.user, pk)
    post = request.POST
    try:
        if what == "participant":
            actions.participant_add(
                actor=request.user, meeting=meeting, role=post.get("role", ""), name=post.get("name", ""),
                organisation=post.get("organisation", ""),
            )
        elif what == "agenda":
            actions.agenda_add(actor=request.user, meeting=meeting, topic=post.get("topic", ""))
        elif what == "decision":
            form = DecisionForm(post)
            if not form.is_valid():
                messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
                return redirect("deliberation:meeting_detail", meeting.pk)
            actions.decision_record(actor=request.user, meeting=meeting, **form.cleaned_data)
        else:
            raise Http404
        messages.success(request, _("Saved."))
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:meeting_detail", meeting.pk)


def _checkin_url(request: HttpRequest, meeting) -> str:
    return request.build_absolute_uri(reverse("deliberation:meeting_checkin", args=[meeting.checkin_token]))


@login_required
def meeting_qr(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk)
    if not can_manage_path(request.user, meeting.community_path):
        raise Http404
    return render(request, "deliberation/meeting_qr.html", {"meeting": meeting, "url": _checkin_url(request, meeting)})


@login_required
def meeting_qr_svg(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(request.user, pk)
    if not can_manage_path(request.user, meeting.community_path):
        raise Http404
    return qr_svg_response(_checkin_url(request, meeting))


@login_required
def meeting_checkin(request: HttpRequest, token: str) -> HttpResponse:
    from linli.deliberation.models import Meeting

    meeting = Meeting.objects.filter(checkin_token=token[:32]).first()
    if meeting is None:
        raise Http404
    participant = None
    if request.method == "POST":
        try:
            participant = actions.meeting_signin(actor=request.user, token=token)
        except DomainError as exc:
            error_message(request, exc)
    return render(request, "deliberation/meeting_checkin.html", {"meeting": meeting, "participant": participant})


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from linli.cases.selectors import active_leaf_categories

    decision = access_decision(request.user, pk)
    manage = can_manage_path(request.user, decision.community_path)
    rated = None
    try:
        _person, key = voter_of(request.user)
        rated = decision.ratings.filter(voter_key=key).first()
    except DomainError:
        key = None
    return render(
        request,
        "deliberation/decision_detail.html",
        {
            "decision": decision,
            "manage": manage,
            "transitions": decision_actions(decision, request.user),
            "cases": list(decision.cases.select_related("case")),
            "projects": list(decision.projects.order_by("id")[:20]),
            "project_kinds": ProjectKind.choices,
            "categories": active_leaf_categories(limit=200) if manage else [],
            "rated": rated,
            "can_rate": key is not None and decision.status == DecisionStatus.DONE and rated is None,
            "satisfactions": Satisfaction.choices,
        },
    )


@require_POST
@login_required
def decision_transition(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    decision = access_decision(request.user, pk)
    if name not in DECISION_TRANSITIONS:
        raise Http404
    try:
        actions.decision_transition(
            decision=decision, name=name, actor=request.user, data={k: request.POST.get(k, "") for k in ("note", "reason")}
        )
        messages.success(request, _("Done."))
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:decision_detail", decision.pk)


@require_POST
@login_required
def decision_case(request: HttpRequest, pk: int) -> HttpResponse:
    decision = access_decision(request.user, pk)
    try:
        link = actions.decision_open_case(
            actor=request.user, decision=decision, category=request.POST.get("category", ""),
            title=request.POST.get("title", ""),
        )
        messages.success(request, _("Case %(number)s opened.") % {"number": link.case.number})
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:decision_detail", decision.pk)


@require_POST
@login_required
def decision_rate(request: HttpRequest, pk: int) -> HttpResponse:
    decision = access_decision(request.user, pk)
    try:
        actions.decision_rate(
            actor=request.user, decision=decision, satisfaction=request.POST.get("satisfaction", ""),
            comment=request.POST.get("comment", ""),
        )
        messages.success(request, _("Thank you for your evaluation."))
    except DomainError as exc:
        error_message(request, exc)
    return redirect("deliberation:decision_detail", decision.pk)
