from django import forms
from django.utils.translation import gettext_lazy as _

from .context_processors import selectable_years


class YearForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [
            (year, _("%(year)s年") % {"year": year}) for year in selectable_years()
        ]


class FederationSearchForm(forms.Form):
    q = forms.CharField(label=_("名称或代码"), max_length=50, required=False)
