"""lms: tracking working adults toward modular diplomas.

The web application is built by :func:`lms.app.create_app`; importing this package (or the pure
audit, :mod:`lms.progress.audit`) loads no web framework.
"""
