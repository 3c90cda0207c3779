"""The work behind crossdock's business flow steps, one module per flow.

Each handler is a plain function ``handler(ports, ctx, document) -> [Outgoing]``: the actor
(:mod:`crossdock.actors.flows`) binds the ports built at worker boot, and the step runner
(:func:`crossdock.actors.steps.call`) gives it its :class:`~crossdock.actors.context.StepContext`:
the envelope, the step's transaction (``ctx.session``: the hop's inside a worker, a fresh one committed
when the handler returns outside), control numbers in it, the step it runs as. Tests call handlers
through the runner too (``call``), with the handler's real binding.
"""
