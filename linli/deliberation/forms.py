from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.deliberation.workflow import Electorate, VoteRule


class TopicForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    description = forms.CharField(label=_("What is it about"), widget=forms.Textarea(attrs={"rows": 4}), required=False)


class VoteForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    place = forms.IntegerField(label=_("Who votes: the place"), widget=forms.Select)
    electorate = forms.ChoiceField(label=_("Who votes"), choices=Electorate.choices)
    rule = forms.ChoiceField(label=_("Rule"), choices=VoteRule.choices)
    closes_at = forms.DateTimeField(label=_("Closes at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    options = forms.CharField(
        label=_("Options (one per line; empty: agree / disagree / abstain)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    secret = forms.BooleanField(label=_("Secret ballot"), required=False, initial=True)
    online = forms.BooleanField(label=_("Online voting"), required=False, initial=True)
    paper = forms.BooleanField(label=_("Paper ballots"), required=False, initial=True)


class MeetingForm(forms.Form):
    from linli.deliberation.workflow import MeetingKind

    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=100)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    location = forms.CharField(label=_("Location"), max_length=100, required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 3}))
    owner_name = forms.CharField(label=_("Owner (who carries it out)"), max_length=64)
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
    topic = forms.IntegerField(label=_("Topic"), required=False, widget=forms.Select)
    vote = forms.IntegerField(label=_("Vote"), required=False, widget=forms.Select)


class ProjectForm(forms.Form):
    from linli.deliberation.workflow import ProjectKind

    title = forms.CharField(label=_("Title"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProjectKind.choices)
    description = forms.CharField(label=_("What is planned"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    budget = forms.CharField(label=_("Budget (yuan)"), max_length=20, required=False)
