"""SQLite: schema, versions, diffs, export and the Datasette face. Never fetches."""
