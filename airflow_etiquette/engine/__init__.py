"""From files and changes to findings: reading, analysing (in workers with time limits), the
``# noqa`` decision, feeding the rules of every scope, and the check and the audit end to end."""
