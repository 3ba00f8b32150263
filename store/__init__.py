"""SQLite: schema, versions, diffs, export and the Datasette face. Never fetches."""

DISTRIBUTION = "marsad"  # what `schedules` checks: this `store` is marsad's (docs/architecture.md)
