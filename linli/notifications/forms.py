from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from linli.notifications.models import Channel


class PreferenceForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("Also tell me by"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    digest = forms.BooleanField(
        label=_("Send me one daily digest instead of single messages"), required=False
    )
    digest_at = forms.TimeField(
        label=_("Digest time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    wechat_openid = forms.CharField(label=_("WeChat OpenID"), max_length=64, required=False)
