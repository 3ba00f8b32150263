"""The replica is product code now (`schedules.replica.pages`, served by `marsad demo`); this old name
is that very module, so tests that import or patch it keep working."""

import sys

from schedules.replica import pages

sys.modules[__name__] = pages
