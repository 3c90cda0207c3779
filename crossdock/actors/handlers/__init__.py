"""The work behind crossdock's business flow steps, one module per flow.

Each handler is a plain function ``handler(ports, envelope, document) -> [Outgoing]``: the actor
(:mod:`crossdock.actors.flows`) binds the ports built at worker boot and calls it; tests call it
directly. Database effects go through :func:`crossdock.actors.handlers.ports.effects`, which joins the
step's idempotency transaction when a worker runs the step.
"""
