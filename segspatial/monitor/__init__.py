"""The technical-education monitor (placeholder, filled in below)."""
