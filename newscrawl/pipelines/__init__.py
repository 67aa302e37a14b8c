"""Item pipelines, one concern each; order and settings in README ("Cleaning pipelines")."""
