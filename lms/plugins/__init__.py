"""Plugin system (pluggy). Built-in areas and external plugins use the same hooks."""

import pluggy

PROJECT_NAME = "lms"
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)
hookspec = pluggy.HookspecMarker(PROJECT_NAME)

__all__ = ["PROJECT_NAME", "hookimpl", "hookspec"]
