"""Test support shared by every test: personas and small builders (not shipped in the wheel)."""
