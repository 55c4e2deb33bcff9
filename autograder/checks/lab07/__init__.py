"""The checks of 07-operating-microservices (loaded by checks/07-operating-microservices.py)."""
