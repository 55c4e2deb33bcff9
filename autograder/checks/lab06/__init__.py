"""The checks of 06-api-gateway (loaded by checks/06-api-gateway.py)."""
