"""A simulated legacy ERP speaking crossdock's shipped WSDL over HTTP, with state in SQLite and fault
injection. The only part of ``crossdock.soap`` allowed to do IO (it is a server)."""

from crossdock.soap.sim.app import SimAuth, build_app
from crossdock.soap.sim.control import Behaviour, Control
from crossdock.soap.sim.db import SimDatabase
from crossdock.soap.sim.server import serve

__all__ = ["Behaviour", "Control", "SimAuth", "SimDatabase", "build_app", "serve"]
