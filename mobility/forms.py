"""The form of a flow file's upload, shared by the workspace's page and the admin's."""

from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("A CSV or XLSX file of flows"),
        help_text=_("One flow a row, with the template's columns. Every row is checked; if any is wrong, nothing "
                    "is written and you get the list of what to fix."),
        error_messages={"required": _("Choose a file to upload."),
                        "empty": _("The file is empty.")},
    )
    # The file field is not required by the browser, so an empty submission reaches the server and its message.
    use_required_attribute = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].widget.attrs["accept"] = (
            ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
