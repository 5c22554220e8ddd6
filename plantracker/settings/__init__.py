"""Settings package: `base` plus small overrides (`local`, `production`, `test`)."""
