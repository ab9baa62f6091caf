"""The user's notifications."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from lms.core.access import login_required
from lms.core.i18n import ngettext
from lms.extensions import db
from lms.notifications import services
from lms.notifications.models import Notification

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
PAGE_SIZE = 50


@bp.route("/")
@login_required
def index():
    rows = db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(PAGE_SIZE)
    ).all()
    return render_template("notifications/index.html", notifications=rows, form=FlaskForm())


@bp.route("/read", methods=["POST"])
@login_required
def mark_read():
    if FlaskForm().validate_on_submit():
        count = services.mark_all_read(current_user.id)
        flash(
            ngettext("%(num)d notification marked as read.", "%(num)d notifications marked as read.", count), "success"
        )
    return redirect(url_for("notifications.index"))
