"""crossdock's Dramatiq middleware, one policy per module."""
