"""The replica is product code now (`schedules.replica.feeds`, served by `marsad demo`); this old name
is that very module, so tests that import or patch it keep working."""

import sys

from schedules.replica import feeds

sys.modules[__name__] = feeds
