"""Imports every area's models so the mapper registry and ``db.metadata`` are complete
(migrations, relationships declared by class name)."""

from lms.accounts.models import AuthSession, Funding, Learner, Role, User, UserRole
from lms.api.models import ApiToken
from lms.awards.models import Award
from lms.catalog.models import Equivalence, Programme, ProgrammeVersion, Unit
from lms.core.models import AuditLog, StoredFile
from lms.intakes.models import Application, ApplicationDocument, Enrolment, Intake
from lms.lti.models import LtiContext, LtiDeployment, LtiKey, LtiPlatform, LtiState
from lms.notifications.models import Notification
from lms.progress.models import ProgressSnapshot
from lms.reports.models import LearnerActivity, ReportSummary, UnitResultCount
from lms.results.models import Credit, Result, ResultHistory, Substitution
from lms.timetable.models import Attendance, Centre, Meeting, Offering, Registration

__all__ = [
    "ApiToken",
    "Application",
    "ApplicationDocument",
    "Attendance",
    "AuditLog",
    "AuthSession",
    "Award",
    "Centre",
    "Credit",
    "Enrolment",
    "Equivalence",
    "Funding",
    "Intake",
    "Learner",
    "LearnerActivity",
    "LtiContext",
    "LtiDeployment",
    "LtiKey",
    "LtiPlatform",
    "LtiState",
    "Meeting",
    "Notification",
    "Offering",
    "Programme",
    "ProgrammeVersion",
    "ProgressSnapshot",
    "Registration",
    "ReportSummary",
    "Result",
    "ResultHistory",
    "Role",
    "StoredFile",
    "Substitution",
    "UnitResultCount",
    "Unit",
    "User",
    "UserRole",
]
