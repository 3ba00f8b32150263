"""A local replica of the ECCI WordPress site (europarabct.com), the site `marsad demo` watches
and the tests crawl: `ReplicaSite` (content, control API, routing) and `ReplicaServer` (serves it
on 127.0.0.1 and logs every request). Product code, so the demo runs from an installed wheel;
`tests/servers/replica*.py` are the same modules under their old names."""

from schedules.replica.server import ReplicaServer
from schedules.replica.site import ReplicaSite

__all__ = ["ReplicaServer", "ReplicaSite"]
