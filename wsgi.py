"""WSGI entry point: ``gunicorn wsgi:app`` or ``flask --app wsgi ...``."""

from pathlib import Path

from lms import create_app

app = create_app()
# The default SQLite database lives in instance/: make sure the folder exists (create_app does no I/O).
Path(app.instance_path).mkdir(exist_ok=True)
