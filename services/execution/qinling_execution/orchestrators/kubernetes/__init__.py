"""The kubernetes orchestrator: workers are pods of a runtime's image in one namespace."""
