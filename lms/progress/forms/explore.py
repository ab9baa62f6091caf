"""The what-if form: a programme version to audit the learner against, and the version of their own
programmes to compare it with. A GET form: it changes nothing."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from flask_wtf import FlaskForm
from wtforms import SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired

from lms.core.i18n import lazy_gettext as _l
from lms.progress.audit.catalogue import ProgramDef

SEPARATOR = ":"


def version_key(code: str, version: str) -> str:
    return f"{code}{SEPARATOR}{version}"


def split_key(key: str) -> tuple[str, str]:
    code, _sep, version = (key or "").partition(SEPARATOR)
    return code, version


class WhatIfForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only shows an audit

    programme = SelectField(_l("Programme version to try"), validators=[DataRequired()])
    # Checked by the view: without it, the learner's version of the same programme, else their first.
    compare = SelectField(_l("Compare with my programme"), validate_choice=False)
    submit = SubmitField(_l("Show the audit"))

    def offer(self, programs: Iterable[ProgramDef], mine: Sequence[tuple[str, str]]) -> None:
        """Offer every programme version, newer versions of ``mine`` ((code, version) of the
        learner's enrolments) first; and ``mine`` to compare with."""
        programs = sorted(programs, key=lambda p: (p.code, p.version))
        enrolled = {code: version for code, version in mine}
        newer = [p for p in programs if p.code in enrolled and p.version > enrolled[p.code]]

        def choice(program: ProgramDef) -> SelectChoice:
            return SelectChoice(
                version_key(program.code, program.version),
                f"{program.code} — {program.title} ({_l('version')} {program.version})",
            )

        groups: dict[str, list[SelectChoice]] = {}
        if newer:
            groups[str(_l("Newer versions of my programmes"))] = [choice(p) for p in newer]
        shown = {(p.code, p.version) for p in newer}
        others = [p for p in programs if (p.code, p.version) not in shown]
        if others:
            groups[str(_l("Other programme versions") if newer else _l("All programmes"))] = [choice(p) for p in others]
        self.programme.choices = groups
        self.compare.choices = [
            SelectChoice(version_key(code, version), f"{code} ({_l('version')} {version})") for code, version in mine
        ]
