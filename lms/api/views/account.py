"""``/api/v1/me``: who the caller is."""

from __future__ import annotations

from flask_login import current_user
from flask_openapi3 import Tag

from lms.api.schemas.account import Me
from lms.api.views import bp
from lms.core.access import login_required

TAG = Tag(name="account", description="The caller's account and API tokens.")


@bp.get("/me", tags=[TAG], responses={200: Me}, summary="The caller's account")
@login_required
def me():
    learner = current_user.learner
    return Me(
        id=current_user.id,
        email=current_user.email,
        name=current_user.name,
        locale=current_user.locale,
        roles=sorted(current_user.roles),
        learner_number=learner.learner_number if learner else None,
    ).model_dump()
