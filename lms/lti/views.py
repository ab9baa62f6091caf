"""LTI endpoints: OIDC login initiation, launch, the tool's JWKS, deep linking, a unit's page,
the roster comparison (NRPS) and administrators' platform pages. Thin: the protocol is in
:mod:`lms.lti.adapter`, the writes in :mod:`lms.lti.services`."""

from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, logout_user

from lms.accounts import services as account_services
from lms.accounts.models import Role
from lms.accounts.sso import SSOError
from lms.accounts.views import start_session
from lms.catalog.queries import unit_by_code
from lms.core.access import deny_unless, login_required, public, roles_required
from lms.core.audit import record_event
from lms.core.i18n import gettext as _
from lms.core.models import AuditEvent
from lms.core.refusals import attempt
from lms.core.security import allow_form_target, allow_framing, local_path
from lms.extensions import csrf
from lms.lti import adapter, keys, queries, services
from lms.lti.adapter import LtiError
from lms.lti.forms import DeepLinkForm, PlatformForm, RemoveForm
from lms.lti.tool import SESSION_MARK, tool_conf
from lms.timetable.queries.tutors import tutor_offerings

bp = Blueprint("lti", __name__, url_prefix="/lti")
admin_bp = Blueprint("lti_admin", __name__, url_prefix="/admin/lti")
log = logging.getLogger(__name__)
TARGET_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/target_link_uri"


def _framed() -> None:
    allow_framing(queries.platform_origins())


def _refused(error: Exception, status: int = 400):
    reason = getattr(error, "reason", "launch")
    log.warning("LTI launch refused (%s): %s", reason, error)
    record_event(AuditEvent.LOGIN_FAILED, details={"method": "lti", "reason": reason})
    message = str(error) if isinstance(error, SSOError) and error.message is not None else None
    return render_template("lti/error.html", message=message), getattr(error, "status", status)


@bp.route("/jwks.json")
@public
def jwks():
    return jsonify(keys.jwks())


@bp.route("/login", methods=["GET", "POST"])
@public
@csrf.exempt
def login():
    _framed()
    params = request.values.to_dict()
    try:
        return adapter.login_redirect(tool_conf(), url_for(".launch", _external=True), params)
    except (adapter.OIDCException, adapter.LtiException) as error:
        return _refused(LtiError("login", str(error)))


@bp.route("/launch", methods=["POST"])
@public
@csrf.exempt
def launch():
    _framed()
    conf = tool_conf()
    try:
        message, claims = adapter.verified_launch(conf)
        user, details = services.sign_in(conf.platform, claims, locale=session.get("locale") or "fr")
    except (LtiError, SSOError) as error:
        return _refused(error)
    context = services.record_context(conf.platform, claims, user)
    if current_user.is_authenticated:
        account_services.close_session(current_user.session_key)
        logout_user()
    start_session(user, details)
    session[SESSION_MARK] = {"platform": conf.platform.id, "context": context.id if context else None}
    if message.is_deep_link_launch():
        return redirect(url_for(".deep_link", launch=message.get_launch_id()))
    target = claims.get(TARGET_CLAIM) or ""
    here = request.host_url.rstrip("/")
    path = local_path(target[len(here) :]) if target.startswith(here + "/") else None
    return redirect(path or url_for("core.home"))


def _items(form: DeepLinkForm) -> list[tuple[str, str]]:
    chosen = []
    if "progress" in form.items.data:
        chosen.append((_("My progress toward the diploma"), url_for("progress_cockpit.dashboard", _external=True)))
    if "unit" in form.items.data:
        unit = unit_by_code((form.unit.data or "").strip().upper())
        if unit is None:
            form.unit.errors.append(_("No unit has this code."))
            return []
        chosen.append((f"{unit.code} — {unit.title}", url_for(".unit", code=unit.code, _external=True)))
    return chosen


@bp.route("/deep-link", methods=["GET", "POST"])
@login_required
def deep_link():
    _framed()
    form = DeepLinkForm(launch_id=request.args.get("launch"))
    form.items.choices = [("progress", _("My progress toward the diploma")), ("unit", _("A unit's page"))]
    if not form.is_submitted():
        form.items.data = ["progress"]
    if form.validate_on_submit():
        chosen = _items(form)
        if chosen:
            try:
                message = adapter.cached_launch(tool_conf(), form.launch_id.data)
                token, return_url = adapter.deep_link_response(message, chosen)
            except (LtiError, adapter.LtiException) as error:
                return _refused(LtiError("deep_link", str(error)))
            allow_form_target(queries.origin(return_url) or "")
            return render_template("lti/deep_link_return.html", token=token, return_url=return_url, items=chosen)
    return render_template("lti/deep_link.html", form=form)


@bp.route("/units/<code>")
@login_required
def unit(code: str):
    found = unit_by_code(code.upper())
    if found is None:
        abort(404)
    return render_template("lti/unit.html", unit=found)


@bp.route("/roster")
@roles_required(Role.TUTOR)
def roster():
    contexts = queries.instructor_contexts(current_user.id)
    offerings = tutor_offerings(current_user.id)
    context_id = request.args.get("context", type=int)
    offering_id = request.args.get("offering", type=int)
    lines, chosen = None, None
    if context_id and offering_id:
        deny_unless(queries.is_instructor_of(current_user.id, context_id))
        deny_unless(any(each.offering.id == offering_id for each in offerings))
        chosen = next(each for each in contexts if each.id == context_id)
        if not chosen.memberships_url:
            flash(_("This course does not offer its list of participants to lms."), "warning")
        else:
            platform = chosen.platform
            key = keys.signing_key()
            registration = adapter.registration_of(platform, key.private_pem, key.public_pem)
            try:
                members = adapter.course_members(registration, chosen.memberships_url)
            except LtiError as error:
                log.warning("NRPS refused: %s", error)
                flash(_("The list of participants could not be read from the platform."), "danger")
            else:
                lines = queries.compare_roster(platform.issuer, members, offering_id)
    return render_template(
        "lti/roster.html",
        contexts=contexts,
        offerings=offerings,
        lines=lines,
        context_id=context_id,
        offering_id=offering_id,
        chosen=chosen,
    )


# --- administrators ---------------------------------------------------------------------------


@admin_bp.route("/", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def platforms():
    form = PlatformForm()
    if form.validate_on_submit():
        with attempt(form, field="issuer") as outcome:
            services.add_platform(
                name=form.name.data,
                issuer=form.issuer.data,
                client_id=form.client_id.data,
                auth_login_url=form.auth_login_url.data,
                auth_token_url=form.auth_token_url.data,
                key_set_url=form.key_set_url.data,
                deployment_ids=form.deployment_ids.data.splitlines(),
                match_by=form.match_by.data,
                create_accounts=form.create_accounts.data,
            )
        if not outcome.refused:
            flash(_("The platform is registered."), "success")
            return redirect(url_for(".platforms"))
    return render_template(
        "lti/admin/platforms.html",
        form=form,
        platforms=queries.platforms(),
        remove_form=RemoveForm(),
        tool=tool_urls(),
    )


@admin_bp.route("/<int:platform_id>/remove", methods=["POST"])
@roles_required(Role.ADMIN)
def remove(platform_id: int):
    platform = queries.platform(platform_id) or abort(404)
    if RemoveForm().validate_on_submit():
        services.remove_platform(platform)
        flash(_("The platform is removed."), "success")
    return redirect(url_for(".platforms"))


def tool_urls() -> dict[str, str]:
    """What an administrator gives the platform (Moodle's "Tool settings")."""
    return {
        "login": url_for("lti.login", _external=True),
        "launch": url_for("lti.launch", _external=True),
        "deep_link": url_for("lti.launch", _external=True),
        "jwks": url_for("lti.jwks", _external=True),
        "app": current_app.config.get("SERVER_NAME") or request.host_url,
    }
