"""One file, statically: its parse, the one walk over it, what its values are, its DAGs, its SQL,
and the context a rule sees. Nothing here imports or runs the file."""
