"""The daemon, its jobs and the command line: wires `crawler` and `store` together."""
