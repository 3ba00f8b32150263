"""The schema's migrations (`steps`) and the code they need, frozen beside them.

`store.schema.migrate` runs them; see `steps` for why nothing here calls today's code.
"""

from store.migrations.steps import MIGRATIONS

__all__ = ["MIGRATIONS"]
