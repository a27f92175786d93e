from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from vigie.posts.actions import PostInput
from vigie.posts.models import (
    BODY_MAX_LENGTH,
    COMMENT_MAX_LENGTH,
    PLACE_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    HelpDirection,
    HelpTopic,
    PostKind,
)


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files from one input: a plain FileField refuses the list it is given.

    Only presence is checked here; type, size and pixels are the action's business.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleImageInput())
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleImageField, self).clean(file, initial) for file in files]


class PostForm(forms.Form):
    kind = forms.ChoiceField(label=_("What are you posting?"), choices=PostKind.choices)
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX_LENGTH)
    body = forms.CharField(
        label=_("Text"), max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6})
    )
    help_direction = forms.ChoiceField(
        label=_("Mutual help: you…"), choices=[("", "—"), *HelpDirection.choices], required=False
    )
    help_topic = forms.ChoiceField(
        label=_("Mutual help: about"), choices=[("", "—"), *HelpTopic.choices], required=False
    )
    event_starts_at = forms.DateTimeField(
        label=_("Event: date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M"],
    )
    event_place = forms.CharField(
        label=_("Event: place"), max_length=PLACE_MAX_LENGTH, required=False
    )
    absence_from = forms.DateField(
        label=_("Absence: first day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    absence_until = forms.DateField(
        label=_("Absence: day of return"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    shown_to = forms.TypedMultipleChoiceField(
        label=_("Absence: neighbours who may see it"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only the neighbours listed in the directory can be picked."),
    )
    images = MultipleImageField(
        label=_("Photos (optional)"),
        required=False,
        widget=MultipleImageInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        help_text=_("Up to 4 photos. Their metadata (place, device) is removed."),
    )

    def __init__(self, *args: Any, neighbours: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        shown_to = self.fields["shown_to"]
        assert isinstance(shown_to, forms.MultipleChoiceField)
        shown_to.choices = neighbours

    def to_input(self) -> PostInput:
        data = self.cleaned_data
        return PostInput(
            kind=data["kind"],
            title=data["title"],
            body=data["body"],
            help_direction=data.get("help_direction", ""),
            help_topic=data.get("help_topic", ""),
            event_starts_at=data.get("event_starts_at"),
            event_place=data.get("event_place", ""),
            absence_from=data.get("absence_from"),
            absence_until=data.get("absence_until"),
            shown_to=data.get("shown_to", []),
        )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
