"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

from lms.app import create_app, ensure_instance_folder

app = ensure_instance_folder(create_app())
