"""Reading a plan text: structure, indicators, quantities, diagnostics (no database)."""
