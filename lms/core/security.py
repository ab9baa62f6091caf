"""HTTP security headers applied to every response."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, g

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


FRAMING = "lms_frame_ancestors"
FORM_TARGETS = "lms_form_targets"


def allow_framing(origins: list[str]) -> None:
    """Let this response be shown in a frame of ``origins`` only (an LTI platform's page): the
    CSP's ``frame-ancestors`` lists them and ``X-Frame-Options`` is left out. No origin: unchanged."""
    if origins:
        setattr(g, FRAMING, list(origins))


def allow_form_target(origin: str) -> None:
    """Let this page's form post to ``origin`` (the deep-linking answer goes back to the platform)."""
    setattr(g, FORM_TARGETS, [*getattr(g, FORM_TARGETS, []), origin])


def _policy() -> str:
    frames = getattr(g, FRAMING, None)
    targets = getattr(g, FORM_TARGETS, None)
    if not frames and not targets:
        return CONTENT_SECURITY_POLICY
    policy = CONTENT_SECURITY_POLICY
    if frames:
        policy = policy.replace("frame-ancestors 'none'", "frame-ancestors " + " ".join(frames))
    if targets:
        policy = policy.replace("form-action 'self'", "form-action 'self' " + " ".join(targets))
    return policy


def add_security_headers(response: Response) -> Response:
    framed = bool(getattr(g, FRAMING, None))
    response.headers.setdefault("Content-Security-Policy", _policy())
    for name, value in HEADERS.items():
        if framed and name == "X-Frame-Options":
            continue
        response.headers.setdefault(name, value)
    if response.mimetype == "text/html":
        # Pages may show personal data: never store them in shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def local_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: never an absolute or scheme-relative URL
    (an open redirect)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        # Browsers read a backslash as a slash and drop tabs and newlines: both can make "//".
        and "\\" not in target
        and target.isprintable()
        and not urlsplit(target).netloc
    ):
        return target
    return None
