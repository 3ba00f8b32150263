"""The replica is product code now (`schedules.replica.server`, served by `marsad demo`); this old name
is that very module, so tests that import or patch it keep working."""

import sys

from schedules.replica import server

if __name__ == "__main__":
    server.main()
else:
    sys.modules[__name__] = server
