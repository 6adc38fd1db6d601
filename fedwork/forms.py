from django import forms
from django.utils.translation import gettext_lazy as _

from .context_processors import selectable_years


def offer_choices_once(field: forms.ModelChoiceField) -> None:
    """Let a ModelChoiceField offer its choices from one read of its queryset, made when the page shows
    the field (a form that is only validated reads nothing): ``[("", empty label), (pk, label), …]``.

    Why: Django's own ModelChoiceIterator reads the queryset each time the widget walks the choices
    (twice per render: the ``required`` test, then the options), through a server-side cursor on
    PostgreSQL (DECLARE, FETCH, CLOSE). What a submitted value is checked in stays the field's
    queryset, as before. Set the field's queryset before calling this.
    """
    read: list = []

    def choices() -> list:
        if not read:
            empty = [] if field.empty_label is None else [("", field.empty_label)]
            read.append(empty + [(obj.pk, field.label_from_instance(obj)) for obj in field.queryset])
        return read[0]

    field.choices = choices


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            (year, _("%(year)s年") % {"year": year}) for year in selectable_years()
        ]


class FederationSearchForm(forms.Form):
    q = forms.CharField(label=_("名称或代码"), max_length=50, required=False)
