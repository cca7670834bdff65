"""Who may change what: ownership from CODEOWNERS and the roster, and who made a change."""
