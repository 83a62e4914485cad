"""Constants and helpers shared by tests (imported; conftest holds the fixtures)."""
PASSWORD = "correct-horse-battery"
