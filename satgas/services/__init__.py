"""Business rules as plain typed functions; each owns its transaction."""
