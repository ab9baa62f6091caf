"""Unbound Flask extensions, bound to the app in :func:`lms.app.create_app`.

The SQLAlchemy metadata carries a naming convention so that every constraint has a stable name
that migrations on SQLite and PostgreSQL agree on.
"""

from __future__ import annotations

from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from lms.core.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
babel = Babel()
bootstrap = Bootstrap5()


@migrate.configure
def _plugin_version_locations(config):
    """Revision folders contributed by plugins (hook ``lms_migration_dirs``) join the project's."""
    from lms.plugins.manager import plugin_manager

    extra = [folder for group in plugin_manager().hook.lms_migration_dirs() for folder in group or ()]
    if extra:
        own = f"{config.get_main_option('script_location')}/versions"
        config.set_main_option("version_locations", " ".join([own, *extra]))
    return config
