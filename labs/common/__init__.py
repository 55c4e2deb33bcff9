"""What every app in the shop shares: database wiring, errors, request ids, faults."""
