"""Constants shared by the browser tests (the fixtures live in conftest.py)."""

from __future__ import annotations

import os
import re

CHROMIUM = os.environ.get("LMS_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",  # the suite may run as root (containers)
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DEMO_PASSWORD = "demo-lms-2026"
DEMO_ACCOUNTS = {
    "learner": "apprenant@example.org",
    "tutor": "enseignant@example.org",
    "director": "directeur@example.org",
    "admin": "admin@example.org",
}
# The login form's labels, in French or English (whichever the catalogue currently provides).
EMAIL_LABEL = re.compile(r"^\s*(adresse (e-mail|électronique|de courriel)|courriel|e-mail( address)?)\s*$", re.I)
PASSWORD_LABEL = re.compile(r"^\s*(mot de passe|password)\s*$", re.I)
LOGIN_BUTTON = re.compile(r"^\s*(se connecter|connexion|log in)\s*$", re.I)
LOGOUT_BUTTON = re.compile(r"^\s*(se déconnecter|déconnexion|log out)\s*$", re.I)
SKIP_LINK = re.compile(r"^\s*(aller|passer) au contenu( principal)?|skip to (the )?(main )?content\s*$", re.I)
LOGIN_ERROR = re.compile(r"incorrect|wrong", re.I)
