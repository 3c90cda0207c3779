"""Thin flow steps: decode a message, call the module that owns the work, send the next message."""
